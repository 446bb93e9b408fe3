import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { PGlite, type PGliteInterface } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite-pgvector'
import { SystemError } from '../lib/errors.ts'
import { tightenTree } from '../lib/private-dir.ts'
import {
  beginCreation,
  DataDirDamagedError,
  forgetClose,
  inspectDataDir,
  recordClose,
} from './data-dir-check.ts'
import { type DataDirClaim, lockDataDir } from './data-dir-lock.ts'
import {
  assertChannel,
  type Database,
  type Queryable,
  type QueryResult,
  type Row,
  transactionSettings,
} from './database.ts'
import { HostSession } from './shared/host-session.ts'
import { hostSocket, SOCKET_PORT, type SocketHost } from './shared/socket-host.ts'

export interface PgliteOptions {
  /** A folder to persist to; unset keeps the database in memory. */
  dataDir?: string
  /** A data folder snapshot (from `dumpDataDir`) to start from: fast copies for tests. */
  loadDataDir?: Blob
  /** Told when an existing data folder was open to other accounts (and has been tightened). */
  warn?: (message: string) => void
  /** The data folder's lock, when the caller has claimed it already. */
  claim?: Extract<DataDirClaim, { held: true }>
  /**
   * Serves the database to other local processes over a socket in the data folder (see
   * shared/socket-host.ts), and says so in the folder's lock file (`claim`) so they find it.
   */
  share?: { turnLimitMs?: number; onError(error: unknown): void }
  /** The longest opening may take before the folder is called damaged. */
  openTimeoutMs?: number
}

/** Opening takes a second or two, creating a database ten: a minute means it will not open. */
const OPEN_TIMEOUT_MS = 60_000

class OpenTimeout extends Error {}

/**
 * `opening`, or OpenTimeout after `ms`. A database that opens after that is closed again: `late`
 * gets that closing, which settles once nothing of it is left.
 */
function withTimeout(
  opening: Promise<PGlite>,
  ms: number,
  late: (closing: Promise<unknown>) => void,
): Promise<PGlite> {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, fail) => {
    timer = setTimeout(() => {
      late(opening.then((pg) => pg.close()).catch(() => {}))
      fail(new OpenTimeout())
    }, ms)
  })
  return Promise.race([opening, expired]).finally(() => clearTimeout(timer))
}

/** The lines that say what failed: the fatal one, after the first that names a file. */
function whatFailed(said: string[]): string | undefined {
  const messages = said
    .map((line) => /\b(LOG|WARNING|ERROR|FATAL|PANIC):\s+(.*)$/.exec(line))
    .filter((match) => match !== null)
  const fatal = messages.findLast((match) => match[1] === 'PANIC' || match[1] === 'FATAL')
  if (fatal === undefined) return undefined
  const first = messages[0]
  return first === fatal || first === undefined ? fatal[2] : `${first[2]}; ${fatal[2]}`
}

export type PgliteDatabase = Database & {
  /** A snapshot of the whole data folder, loadable with `loadDataDir`. */
  dumpDataDir(): Promise<Blob>
}

export async function openPglite(options: PgliteOptions = {}): Promise<PgliteDatabase> {
  const { dataDir } = options
  const unlock =
    dataDir === undefined
      ? () => {}
      : (options.claim?.release ?? lockDataDir(dataDir, options.warn))
  // PGlite writes its files 0666 whatever the umask: only their owner may read the database or
  // rewrite the audit trail's pages, so they are tightened once it has written them, and again
  // at close for the files it made since (the folder, 0700, keeps others out in between).
  const tighten = () => (dataDir === undefined ? Promise.resolve() : tightenTree(dataDir))
  const state = dataDir === undefined ? undefined : inspectDataDir(dataDir)
  if (dataDir !== undefined && state?.kind === 'damaged') {
    unlock()
    throw new DataDirDamagedError(dataDir, state.problem)
  }
  // What the database says as it starts: the line that names the damage when it cannot.
  const said: string[] = []
  // A start that fails leaves its pid file behind; the folder is left as it was found.
  const pidFile = dataDir === undefined ? undefined : join(dataDir, 'postmaster.pid')
  const hadPidFile = pidFile !== undefined && existsSync(pidFile)
  const limit = options.openTimeoutMs ?? OPEN_TIMEOUT_MS
  // Before it starts: a start cut short (a crash, a kill) changes files the record lists.
  if (dataDir !== undefined && state?.kind === 'database') forgetClose(dataDir)
  // A first creation is marked until done, so one cut short is known for what it is next time.
  const finishCreation =
    dataDir !== undefined && state !== undefined && state.kind !== 'database'
      ? beginCreation(dataDir, state.kind === 'unfinished')
      : undefined
  let created: PGlite | undefined
  let late: Promise<unknown> | undefined
  try {
    created = await withTimeout(
      PGlite.create({
        extensions: { vector },
        ...(dataDir === undefined ? {} : { dataDir }),
        ...(options.loadDataDir === undefined ? {} : { loadDataDir: options.loadDataDir }),
        onStderr: (text) => said.push(text) > 0,
      }),
      limit,
      (closing) => {
        late = closing
      },
    )
    await tighten()
    finishCreation?.()
  } catch (error) {
    await created?.close().catch(() => {})
    if (pidFile !== undefined && !hadPidFile && late === undefined) rmSync(pidFile, { force: true })
    // A start that is still going holds the folder until it has been closed again.
    if (late === undefined) unlock()
    else void late.finally(unlock)
    if (dataDir !== undefined && state?.kind === 'database') {
      throw new DataDirDamagedError(
        dataDir,
        error instanceof OpenTimeout
          ? `it did not open within ${limit / 1000} s`
          : `the database could not start (${whatFailed(said) ?? (error as Error).message})`,
        { cause: error },
      )
    }
    throw new SystemError(
      'data_dir_unusable',
      `Cannot open the embedded database${dataDir ? ` in ${dataDir}` : ''}: ${
        (error as Error).message
      }`,
      { cause: error },
    )
  }
  const pg = created
  const session = await HostSession.open(pg, dataDir)
  let host: SocketHost | undefined
  if (options.share !== undefined && dataDir !== undefined && options.claim !== undefined) {
    try {
      host = await hostSocket({ session, dataDir, ...options.share })
      options.claim.publish(host.socketDir)
    } catch (error) {
      await pg.close().catch(() => {})
      unlock()
      throw error
    }
  }
  const db: PgliteDatabase = {
    kind: 'pglite',
    description: dataDir === undefined ? 'embedded (in memory)' : `embedded (${dataDir})`,
    query: (sql, params) => runQuery(pg, sql, params),
    exec: async (sql) => {
      await pg.exec(sql)
    },
    transaction: (work, options) =>
      pg.transaction(async (tx) => {
        const settings = transactionSettings(options)
        if (settings !== '') await tx.exec(settings)
        return work({
          query: (sql, params) => runQuery(tx, sql, params),
          exec: async (sql) => {
            await tx.exec(sql)
          },
        } satisfies Queryable)
      }),
    pool: () => db,
    ...(host === undefined
      ? {}
      : {
          holds: true,
          // The holder reaches its own database the way the others do, through its socket.
          driverConfig: () => ({
            host: (host as SocketHost).socketDir,
            port: SOCKET_PORT,
            user: 'fte',
            database: 'fte',
          }),
        }),
    // In-process: delivered at commit, in order, and never lost (there is no connection to lose).
    listen: async (channel, on) => {
      assertChannel(channel)
      const subscriber = (_: string, payload: string) => on.payload(payload)
      const run = (sql: string) => session.runAlone(sql)
      await session.hub.add(channel, subscriber, run)
      return async () => {
        if (!pg.closed) await session.hub.remove(channel, subscriber, run)
      }
    },
    // PGlite's own dump reads every file in the folder, and fails on the socket in it.
    dumpDataDir: () =>
      host === undefined
        ? pg.dumpDataDir('none')
        : Promise.reject(
            new Error('a shared data folder is copied with backup(), not dumpDataDir()'),
          ),
    ...(dataDir === undefined
      ? {}
      : {
          backup: async (file: string, progress?: (done: number, total: number) => void) => {
            const release = await session.acquire()
            try {
              return await session.backup(file, progress)
            } finally {
              release()
            }
          },
        }),
    close: async () => {
      try {
        // Said in the lock first: a client that finds the socket gone then waits for the folder.
        if (host !== undefined) options.claim?.publish(undefined)
        await host?.close()
        if (!pg.closed) {
          await pg.close()
          if (dataDir !== undefined) recordClose(dataDir)
        }
        await tighten()
      } finally {
        unlock()
      }
    },
  }
  return db
}

async function runQuery<R extends Row>(
  pg: Pick<PGliteInterface, 'query'>,
  sql: string,
  params: readonly unknown[] = [],
): Promise<QueryResult<R>> {
  const result = await pg.query<R>(sql, params as unknown[])
  return { rows: result.rows, rowCount: result.affectedRows || result.rows.length }
}
