import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CallerError } from '../lib/errors.ts'
import { privateDir } from '../lib/private-dir.ts'

const LOCK_FILE = 'fte.lock'

/** Who holds a data folder: the process, and the folder of the socket it serves it on once it does. */
export interface Holder {
  pid: number
  socketDir: string | undefined
}

export type DataDirClaim =
  | { held: true; release(): void; publish(socketDir: string): void }
  | ({ held: false } & Holder)

/**
 * PGlite is a single-process database: two processes opening one data folder corrupt it. So one
 * process holds the folder (the lock file names it, and then the socket it serves the database on)
 * and the others reach the database through it. A lock whose process is gone is taken over. The
 * folder is made private first (0700, created so or tightened, with a word to `warn`): it holds
 * the database and its audit trail.
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
  let waited = 0
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 })
      return {
        held: true,
        release: () => rmSync(file, { force: true }),
        publish: (socketDir) => {
          const next = `${file}.${process.pid}`
          writeFileSync(next, `${process.pid}\n${socketDir}\n`, { mode: 0o600 })
          renameSync(next, file)
        },
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw unusable(dataDir, error)
      const holder = readHolder(dataDir)
      if (holder !== undefined) return { held: false, ...holder }
      if (beingWritten(file) && waited < 40) {
        // Another process has just created it and not yet written its pid.
        waited++
        attempt--
        Atomics.wait(PAUSE, 0, 0, 25)
        continue
      }
      // The holder is gone (or the file was removed as we looked): take the folder over.
      rmSync(file, { force: true })
    }
  }
  throw new CallerError('data_dir_in_use', `Cannot take the lock on ${dataDir}`)
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4))

/** An empty lock file made a moment ago: its process is about to write its pid in it. */
function beingWritten(file: string): boolean {
  try {
    const stat = statSync(file)
    return stat.size === 0 && Date.now() - stat.mtimeMs < 2000
  } catch {
    return false
  }
}

/** The live process holding `dataDir`, if any. */
export function readHolder(dataDir: string): Holder | undefined {
  let text: string
  try {
    text = readFileSync(join(dataDir, LOCK_FILE), 'utf8')
  } catch {
    return undefined
  }
  const [pidLine, socketLine] = text.split('\n')
  const pid = Number.parseInt(pidLine ?? '', 10)
  if (!Number.isInteger(pid) || pid === process.pid || !isAlive(pid)) return undefined
  return { pid, socketDir: socketLine === undefined || socketLine === '' ? undefined : socketLine }
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
