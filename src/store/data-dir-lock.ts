import { linkSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { CallerError } from '../lib/errors.ts'
import { privateDir } from '../lib/private-dir.ts'

const LOCK_FILE = 'fte.lock'
/** Held, briefly, by the one process that removes a stale lock. */
const BREAKER = 'fte.lock.break'

/** Who holds a data folder: the process, and the folder of the socket it serves it on once it does. */
export interface Holder {
  pid: number
  socketDir: string | undefined
  /** The lock file as read: a stale one is removed only if it still says this. */
  text: string
}

export type DataDirClaim =
  | {
      held: true
      release(): void
      /** Names the socket the folder is served on; undefined: not (or no longer) served. */
      publish(socketDir: string | undefined): void
    }
  | ({ held: false } & Holder)

/** The folders this process holds: its own pid in their lock is its own, not a stale one's. */
const HELD = new Set<string>()

/**
 * PGlite is a single-process database: two processes opening one data folder corrupt it. So one
 * process holds the folder (the lock file names it, and then the socket it serves the database on)
 * and the others reach the database through it. The folder is made private first (0700, created
 * so or tightened, with a word to `warn`): it holds the database and its audit trail.
 *
 * The lock is created whole (written aside, then linked into place, which fails if one is there),
 * so nobody reads it half written. A lock whose process is gone is removed by one process at a
 * time (under a second lock), and only if it still says what was read, so two processes starting
 * at once on a crashed holder's folder cannot both take it.
 */
export function claimDataDir(dataDir: string, warn?: (message: string) => void): DataDirClaim {
  let was: number | undefined
  try {
    was = privateDir(dataDir)
  } catch (error) {
    throw unusable(dataDir, error)
  }
  if (was !== undefined) {
    warn?.(
      `The embedded database folder ${dataDir} was open to other accounts (mode ${was.toString(8)}); ` +
        'it is now 700, and its files 600.',
    )
  }
  const file = join(dataDir, LOCK_FILE)
  for (let attempt = 0; attempt < 50; attempt++) {
    if (create(file, `${process.pid}\n`)) {
      HELD.add(resolve(dataDir))
      return {
        held: true,
        release: () => {
          if (ours(file)) rmSync(file, { force: true })
          HELD.delete(resolve(dataDir))
        },
        publish: (socketDir) => {
          if (!ours(file)) return
          const next = `${file}.${process.pid}`
          writeFileSync(next, `${process.pid}\n${socketDir ?? ''}\n`, { mode: 0o600 })
          renameSync(next, file)
        },
      }
    }
    const holder = readHolder(dataDir)
    if (holder !== undefined) return { held: false, ...holder }
    // Its process is gone: remove it (if nobody did meanwhile) and try again.
    breakStaleLock(dataDir)
    pause(20)
  }
  throw new CallerError('data_dir_in_use', `Cannot take the lock on ${dataDir}`)
}

/** Creates `file` with `text` in one step; false when it exists. */
function create(file: string, text: string): boolean {
  const aside = `${file}.${process.pid}.new`
  writeFileSync(aside, text, { mode: 0o600 })
  try {
    linkSync(aside, file)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  } finally {
    rmSync(aside, { force: true })
  }
}

function ours(file: string): boolean {
  try {
    return readFileSync(file, 'utf8').split('\n')[0] === String(process.pid)
  } catch {
    return false
  }
}

/**
 * Removes the lock on `dataDir` if it is stale: its process gone, or (`expected`) it still says
 * exactly what the caller found stale for another reason (a published socket nobody listens on).
 */
export function breakStaleLock(dataDir: string, expected?: string): void {
  const file = join(dataDir, LOCK_FILE)
  const breaker = join(dataDir, BREAKER)
  if (!create(breaker, `${process.pid}\n`)) {
    // Another process is removing it; a breaker left by a crash is old, and goes.
    try {
      if (Date.now() - statSync(breaker).mtimeMs > 5000) rmSync(breaker, { force: true })
    } catch {}
    return
  }
  try {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      return
    }
    const stale = expected === undefined ? readHolder(dataDir) === undefined : text === expected
    if (stale) rmSync(file, { force: true })
  } finally {
    rmSync(breaker, { force: true })
  }
}

/** The live process holding `dataDir`, if any (this one too, if it does). */
export function readHolder(dataDir: string): Holder | undefined {
  let text: string
  try {
    text = readFileSync(join(dataDir, LOCK_FILE), 'utf8')
  } catch {
    return undefined
  }
  const [pidLine, socketLine] = text.split('\n')
  const pid = Number.parseInt(pidLine ?? '', 10)
  if (!Number.isInteger(pid)) return undefined
  // Our own pid in a lock we did not take is a crashed predecessor's that had our pid.
  const alive = pid === process.pid ? HELD.has(resolve(dataDir)) : isAlive(pid)
  if (!alive) return undefined
  return {
    pid,
    socketDir: socketLine === undefined || socketLine === '' ? undefined : socketLine,
    text,
  }
}

/** Holds `dataDir` or fails saying who does: for what must have the folder to itself. */
export function lockDataDir(dataDir: string, warn?: (message: string) => void): () => void {
  const claim = claimDataDir(dataDir, warn)
  if (claim.held) return claim.release
  throw new CallerError(
    'data_dir_in_use',
    `The embedded database in ${dataDir} is in use by process ${claim.pid}. Stop that process ` +
      '(for example a running `fte serve`), or point FTE_DATA_DIR or DATABASE_URL elsewhere.',
  )
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4))

function pause(ms: number): void {
  Atomics.wait(PAUSE, 0, 0, ms)
}

function unusable(dataDir: string, cause: unknown): CallerError {
  return new CallerError(
    'data_dir_unusable',
    `Cannot use the embedded database folder ${dataDir}: ${(cause as Error).message}`,
    { cause },
  )
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
