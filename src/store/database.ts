/**
 * One interface over the embedded database (PGlite) and a Postgres server (node-postgres), so
 * repositories, migrations and tests run the same SQL on both.
 *
 * Parameters are positional (`$1`, `$2`, …). Pass JSON values as strings (`JSON.stringify(x)`) and
 * cast in SQL (`$1::jsonb`): the two drivers serialise JavaScript objects and arrays differently.
 * Results use the same types on both: int8 and int4 as numbers, numeric as strings, timestamptz as
 * Date, json/jsonb parsed, vectors as their text form (`[1,2,3]`).
 */

import type pg from 'pg'
import { InvalidInputError } from '../lib/errors.ts'

export type Row = Record<string, unknown>

export interface QueryResult<R extends Row = Row> {
  rows: R[]
  /** Rows returned or affected. */
  rowCount: number
}

export interface Queryable {
  query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>
  /** Runs one or more statements with no parameters (migrations, DDL). */
  exec(sql: string): Promise<void>
}

export type DatabaseKind = 'pglite' | 'postgres'

export interface Database extends Queryable {
  readonly kind: DatabaseKind
  /** Where the data lives, safe to log: a folder, or a URL without its password. */
  readonly description: string
  /**
   * Runs `work` in one transaction on one connection: committed when it resolves, rolled back when
   * it throws (and the error rethrown).
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T>
  /**
   * The same database through a pool of its own, for a part of the system that runs a few fixed
   * statements over and over and must neither starve the rest nor be starved by it (the gateway's
   * reads, its audit writer). Its statements are prepared once per connection. Postgres: opened on
   * first use (one per distinct options) and closed with this one. PGlite has a single connection
   * and cannot cancel a statement: it answers with itself, which neither refuses writes nor
   * cancels.
   */
  pool(options: PoolOptions): Database
  /**
   * Calls `on.payload` with each NOTIFY on `channel`, delivered when the notifying transaction
   * commits (never for one rolled back), in commit order. A notification carries a hint, not
   * the change: a listener that missed some (its connection was lost: `on.gap`) re-reads what it
   * follows. Resolves, once listening, with the function that stops it.
   */
  listen(channel: string, on: Notifications): Promise<() => Promise<void>>
  /**
   * The embedded database only: a consistent copy of its folder, written to `file` as a gzipped
   * tar, by the process that holds it (this one, or the one serving it). `progress` gets bytes.
   */
  backup?(file: string, progress?: (done: number, total: number) => void): Promise<BackupResult>
  /**
   * How node-postgres reaches this same database, for a library that brings its own driver (the
   * job queue): the server's settings, or the embedded database's socket. Undefined for an
   * embedded database in memory, which nothing else can reach.
   */
  driverConfig?(): pg.ClientConfig
  /**
   * The embedded database only: true in the process that holds its folder and serves it to the
   * others, false in a process it serves. Undefined for a Postgres server.
   */
  readonly holds?: boolean | undefined
  close(): Promise<void>
}

export interface BackupResult {
  /** The backup file's size. */
  bytes: number
  /** Files in it. */
  files: number
}

export interface Notifications {
  /** One notification's payload. */
  payload(payload: string): void
  /**
   * The listening connection was lost and is back: notifications sent in between are gone (NOTIFY
   * queues nothing for a listener that is away). Postgres only; an embedded database is never away.
   */
  gap?(): void
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/

/**
 * A channel name is a lower-case SQL identifier: PGlite's listen() sends it unquoted, so any
 * other would be folded to lower case there and miss a `pg_notify` of the name as written.
 */
export function assertChannel(channel: string): void {
  if (!CHANNEL.test(channel)) {
    throw new InvalidInputError(
      `a notification channel is lower-case letters, digits and _ (got ${JSON.stringify(channel)})`,
    )
  }
}

export interface PoolOptions {
  /** What the pool is for: names its connections (`application_name`). */
  purpose: string
  /** Connections at most; by default as many as the main pool. */
  max?: number
  /** Every statement refuses to write. */
  readOnly?: boolean
  /** Every statement is cancelled after this long. */
  statementTimeoutMs?: number
}

export interface TransactionOptions {
  /** Cancels any statement of the transaction that runs longer (Postgres; PGlite cannot). */
  statementTimeoutMs?: number
  /** Refuses any write in the transaction. */
  readOnly?: boolean
}

/** The statements that apply the options, to send with BEGIN; '' for none. */
export function transactionSettings(options: TransactionOptions | undefined): string {
  const settings: string[] = []
  if (options?.readOnly === true) settings.push('SET TRANSACTION READ ONLY')
  const ms = options?.statementTimeoutMs
  if (ms !== undefined) {
    assertTimeout(ms)
    settings.push(`SET LOCAL statement_timeout = ${ms}`)
  }
  return settings.join('; ')
}

export function assertTimeout(ms: number): void {
  if (!Number.isInteger(ms) || ms < 1)
    throw new Error('statementTimeoutMs must be a positive integer')
}
