import { createHash } from 'node:crypto'
import pg from 'pg'
import { parseIntoClientConfig } from 'pg-connection-string'
import { DatabaseUnavailableError } from '../lib/errors.ts'
import { redactUrl } from '../lib/logger.ts'
import {
  assertTimeout,
  type Database,
  type DatabaseKind,
  type Queryable,
  type QueryResult,
  type Row,
  transactionSettings,
} from './database.ts'
import { PostgresListener } from './postgres-listener.ts'

export interface PostgresOptions {
  url: string
  poolMax?: number
  connectTimeoutMs?: number
  applicationName?: string
  /** Errors on idle pooled connections (a server restart, say); they must not crash the process. */
  onIdleError?: (error: Error) => void
  /** Told about connection-string adjustments worth an operator's attention. */
  onNotice?: (message: string) => void
  /** What to call the database in logs and errors: by default the URL without its password. */
  description?: string
  /** 'pglite' for the embedded database served by another process. */
  kind?: DatabaseKind
}

const INT8_OID = 20

/** int8 as a number, as PGlite returns it; our bigints (audit ids, counts) stay far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
}

/** Opens a pool and proves it can reach the server before returning. */
export async function openPostgres(options: PostgresOptions): Promise<Database> {
  const safeUrl = options.description ?? redactUrl(options.url)
  const kind = options.kind ?? 'postgres'
  const config: pg.PoolConfig = {
    ...postgresClientConfig(options.url, options.onNotice),
    max: options.poolMax ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    application_name: options.applicationName ?? 'digital-fte',
    types,
  }
  const pool = new pg.Pool(config)
  pool.on('error', (error) => options.onIdleError?.(error))
  try {
    await pool.query('SELECT 1')
  } catch (error) {
    await pool.end().catch(() => {})
    throw new DatabaseUnavailableError(
      `Cannot reach the database at ${safeUrl}: ${describeConnectError(error, options)}`,
      { cause: error },
    )
  }

  // One connection of its own for LISTEN, opened on the first listener.
  const listener = new PostgresListener(
    { ...config, application_name: `${config.application_name} (listener)` },
    (error) => options.onIdleError?.(error),
  )
  const listen: Database['listen'] = (channel, on) => listener.listen(channel, on)
  // Dedicated pools by purpose, opened on first use and closed with the main pool.
  const dedicated = new Map<string, { pool: pg.Pool; db: Database }>()
  let closing: Promise<void> | undefined
  return {
    ...over(pool, safeUrl, kind),
    listen,
    driverConfig: () => ({ ...config }),
    pool: (wanted) => {
      const key = JSON.stringify(wanted)
      let entry = dedicated.get(key)
      if (entry === undefined) {
        if (wanted.statementTimeoutMs !== undefined) assertTimeout(wanted.statementTimeoutMs)
        const own = new pg.Pool({
          ...config,
          max: wanted.max ?? config.max,
          application_name: `${config.application_name} (${wanted.purpose})`,
          // Startup parameters, not SET: they hold on every connection, behind a pooler too.
          ...(wanted.statementTimeoutMs === undefined
            ? {}
            : { statement_timeout: wanted.statementTimeoutMs }),
          ...(wanted.readOnly === true
            ? {
                options: [config.options, '-c default_transaction_read_only=on']
                  .filter((o) => o !== undefined && o !== '')
                  .join(' '),
              }
            : {}),
        })
        own.on('error', (error) => options.onIdleError?.(error))
        const db: Database = {
          ...over(own, `${safeUrl} (${wanted.purpose})`, kind, statementNames()),
          listen,
          pool: () => db,
          close: async () => {},
        }
        entry = { pool: own, db }
        dedicated.set(key, entry)
      }
      return entry.db
    },
    close: () => {
      closing ??= Promise.all([
        listener.close(),
        pool.end(),
        ...[...dedicated.values()].map((entry) => entry.pool.end()),
      ]).then(() => {})
      return closing
    },
  }
}

/** The queries and transactions of a Database over one pool. */
function over(
  pool: pg.Pool,
  description: string,
  kind: DatabaseKind,
  prepared?: (sql: string) => string | undefined,
): Omit<Database, 'pool' | 'listen' | 'close'> {
  return {
    kind,
    description,
    query: (sql, params) => runQuery(pool, sql, params, prepared?.(sql)),
    exec: async (sql) => {
      await pool.query(sql)
    },
    transaction: async (work, options) => {
      const client = await pool.connect()
      let broken: Error | undefined
      // The server can drop the connection while it is checked out (an outage, a restart): without
      // a listener the client's 'error' event would crash the process. Its next query fails anyway.
      const dropped = (error: Error) => {
        broken = error
      }
      client.on('error', dropped)
      try {
        // One round trip for BEGIN and the transaction's settings.
        const settings = transactionSettings(options)
        await client.query(settings === '' ? 'BEGIN' : `BEGIN; ${settings}`)
        const tx: Queryable = {
          query: (sql, params) => runQuery(client, sql, params, prepared?.(sql)),
          exec: async (sql) => {
            await client.query(sql)
          },
        }
        const result = await work(tx)
        await client.query('COMMIT')
        return result
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          // A connection that cannot roll back is unusable: destroy it rather than reuse it.
          broken = rollbackError
        })
        throw error
      } finally {
        client.removeListener('error', dropped)
        client.release(broken)
      }
    },
  }
}

/**
 * A prepared-statement name per SQL text, up to `limit` texts; SQL built on the fly beyond that runs
 * unprepared rather than filling every connection with statements.
 */
function statementNames(limit = 500): (sql: string) => string | undefined {
  const names = new Map<string, string>()
  return (sql) => {
    let name = names.get(sql)
    if (name === undefined && names.size < limit) {
      name = `fte_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`
      names.set(sql, name)
    }
    return name
  }
}

async function runQuery<R extends Row>(
  client: pg.Pool | pg.PoolClient,
  sql: string,
  params: readonly unknown[] = [],
  name?: string,
): Promise<QueryResult<R>> {
  const result = await client.query<R>(
    name === undefined
      ? { text: sql, values: params as unknown[] }
      : { name, text: sql, values: params as unknown[] },
  )
  return { rows: result.rows, rowCount: result.rowCount ?? result.rows.length }
}

/**
 * Accepts libpq-style strings such as Neon's (`sslmode=require&channel_binding=require`).
 * node-postgres verifies certificates for every sslmode that asks for TLS; we say so once instead of
 * letting it print a warning on every start. `channel_binding` enables SCRAM-SHA-256-PLUS.
 */
export function postgresClientConfig(
  url: string,
  onNotice?: (message: string) => void,
): pg.ClientConfig {
  const parsed = new URL(url)
  const params = parsed.searchParams
  const channelBinding = params.get('channel_binding')
  params.delete('channel_binding')
  const sslmode = params.get('sslmode')
  if (
    params.get('uselibpqcompat') !== 'true' &&
    (sslmode === 'prefer' || sslmode === 'require' || sslmode === 'verify-ca')
  ) {
    params.set('sslmode', 'verify-full')
    onNotice?.(
      `sslmode=${sslmode}: the server certificate and host name are verified (as sslmode=verify-full)`,
    )
  }
  return {
    ...parseIntoClientConfig(parsed.toString()),
    enableChannelBinding: channelBinding === 'require' || channelBinding === 'prefer',
  }
}

function describeConnectError(error: unknown, options: PostgresOptions): string {
  const e = error as { code?: string; message?: string }
  switch (e.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the server running and listening on that host and port?)'
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found'
    case '28P01':
    case '28000':
      return 'authentication failed (check the user name and password)'
    case '3D000':
      return 'the database does not exist'
    case '57P03':
      return 'the server is starting up or shutting down; try again shortly'
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_HAS_EXPIRED':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return (
        `the server's TLS certificate could not be verified (${e.code}); for a private CA add ` +
        'sslrootcert=/path/to/ca.pem to the URL'
      )
    default:
      if (/timeout/i.test(e.message ?? '')) {
        return `no answer within ${options.connectTimeoutMs ?? 10_000} ms`
      }
      return e.message ?? String(error)
  }
}
