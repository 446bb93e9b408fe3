import pg from 'pg'
import { parseIntoClientConfig } from 'pg-connection-string'
import { DatabaseUnavailableError } from '../../lib/errors.ts'
import type { BackupResult, Database, Queryable, Row } from '../database.ts'
import { openPostgres } from '../postgres-database.ts'
import { sqlState } from '../sql-error.ts'
import { quoteLiteral } from '../sql-quote.ts'
import { SOCKET_PORT } from './socket-host.ts'

export interface ServedOptions {
  dataDir: string
  /** The holder's process and the folder of its socket. */
  pid: number
  socketDir: string
  connectTimeoutMs?: number
  onIdleError?: (error: Error) => void
}

/**
 * The embedded database as another process serves it: the ordinary Postgres driver over the
 * holder's socket. When the holder goes away, what was under way fails with an error that says so
 * and what to do.
 */
export async function openServed(options: ServedOptions): Promise<Database> {
  const url = new URL('postgresql://fte@localhost/fte')
  url.searchParams.set('host', options.socketDir)
  url.port = String(SOCKET_PORT)
  const db = await openPostgres({
    url: url.toString(),
    kind: 'pglite',
    description: `embedded (${options.dataDir}), served by process ${options.pid}`,
    poolMax: 4,
    ...(options.connectTimeoutMs === undefined
      ? {}
      : { connectTimeoutMs: options.connectTimeoutMs }),
    ...(options.onIdleError === undefined ? {} : { onIdleError: options.onIdleError }),
  })
  const served: Database = {
    ...db,
    holds: false,
    backup: (file, progress) => askForBackup(url.toString(), file, progress),
  }
  return explained(served, (error) => {
    if (!isConnectionError(error)) return error
    const gone = new DatabaseUnavailableError(
      `The process that served the embedded database in ${options.dataDir} (pid ${options.pid}) ` +
        'has stopped. Run the command again: it will open the folder itself.',
      { cause: error },
    )
    LOST.add(gone)
    return gone
  })
}

/** Asks the holder, over its socket, for a copy of the database in `file` (see session-rules.ts). */
async function askForBackup(
  url: string,
  file: string,
  progress?: (done: number, total: number) => void,
): Promise<BackupResult> {
  const client = new pg.Client({ ...parseIntoClientConfig(url), application_name: 'fte backup' })
  client.on('error', () => {})
  client.on('notice', (notice) => {
    const match = /^progress (\d+) (\d+)$/.exec(notice.message ?? '')
    if (match !== null) progress?.(Number(match[1]), Number(match[2]))
  })
  await client.connect()
  try {
    const result = await client.query(`FTE BACKUP TO ${quoteLiteral(file)}`)
    return { bytes: result.oid, files: result.rowCount ?? 0 }
  } finally {
    await client.end().catch(() => {})
  }
}

/** Errors that say the connection to the holder was lost (made by `explained`, below). */
const LOST = new WeakSet<object>()

/**
 * The process serving the database went away: an error from a statement whose connection to it was
 * refused or dropped. Never one the caller's own code threw inside a transaction (a provider it
 * could not reach, a file it could not read): those are not about the holder.
 */
export function holderGone(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const cause = (error as { cause?: unknown }).cause
  return LOST.has(error) || (cause !== undefined && holderGone(cause))
}

/** The driver's own word for a refused or dropped connection (or the holder saying it stops). */
export function isConnectionError(error: unknown): boolean {
  const cause = (error as { cause?: unknown } | null)?.cause
  if (cause !== undefined && isConnectionError(cause)) return true
  if (sqlState(error) === '57P01') return true
  const code = (error as { code?: unknown } | null)?.code
  if (code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'ECONNRESET' || code === 'EPIPE') {
    return true
  }
  const text = (error as Error | null)?.message ?? ''
  return /Connection terminated|connection error|not queryable|Cannot use a pool after calling end/i.test(
    text,
  )
}

/**
 * `db` with the failures of its own statements passed through `explain` first. A transaction's
 * work is the caller's: what it throws passes as it is, unless a statement of the transaction threw
 * it (then it was explained already).
 */
function explained(db: Database, explain: (error: unknown) => unknown): Database {
  const rethrow = (error: unknown): never => {
    throw explain(error)
  }
  const ownWork = new WeakSet<object>()
  const over = (tx: Queryable): Queryable => ({
    query: <R extends Row>(sql: string, params?: readonly unknown[]) =>
      tx.query<R>(sql, params).catch(rethrow),
    exec: (sql) => tx.exec(sql).catch(rethrow),
  })
  const wrap = (inner: Database): Database => ({
    kind: inner.kind,
    description: inner.description,
    query: <R extends Row>(sql: string, params?: readonly unknown[]) =>
      inner.query<R>(sql, params).catch(rethrow),
    exec: (sql) => inner.exec(sql).catch(rethrow),
    transaction: (work, options) =>
      inner
        .transaction(async (tx) => {
          try {
            return await work(over(tx))
          } catch (error) {
            if (typeof error === 'object' && error !== null) ownWork.add(error)
            throw error
          }
        }, options)
        .catch((error: unknown) => {
          // BEGIN, COMMIT or the connection failed: the driver's error. Otherwise the work's own.
          if (typeof error === 'object' && error !== null && ownWork.has(error)) throw error
          return rethrow(error)
        }),
    pool: (options) => wrap(inner.pool(options)),
    listen: (channel, on) => inner.listen(channel, on).catch(rethrow),
    ...(inner.holds === undefined ? {} : { holds: inner.holds }),
    ...(inner.driverConfig === undefined ? {} : { driverConfig: inner.driverConfig }),
    ...(inner.backup === undefined
      ? {}
      : {
          backup: (file: string, progress?: (done: number, total: number) => void) =>
            (inner.backup as NonNullable<Database['backup']>)(file, progress).catch(rethrow),
        }),
    close: () => inner.close(),
  })
  return wrap(db)
}
