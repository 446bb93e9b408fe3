import type { Database } from './database.ts'
import { MigrationError, MigrationFailedError } from './migration-error.ts'
import type { Migration } from './migration-files.ts'
import { SQLSTATE, sqlState } from './sql-error.ts'

export type MigrationState = 'applied' | 'pending' | 'changed' | 'missing'

export interface MigrationStatus {
  id: string
  source: string
  version: number
  name: string
  state: MigrationState
  appliedAt: Date | undefined
}

export interface MigrateResult {
  applied: Migration[]
  alreadyApplied: number
  /** Set when migrating stopped; everything in `applied` is committed, nothing after it ran. */
  error: MigrationError | MigrationFailedError | undefined
}

/** Serialises migrators across processes and replicas sharing one database. */
const LOCK_KEY = 7_421_013_001

const BOOKKEEPING = `
CREATE TABLE IF NOT EXISTS fte_migrations (
  source       TEXT NOT NULL,
  version      INT NOT NULL,
  name         TEXT NOT NULL,
  checksum     TEXT NOT NULL,
  applied_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  execution_ms INT NOT NULL,
  PRIMARY KEY (source, version)
)`

interface AppliedRow extends Record<string, unknown> {
  source: string
  version: number
  name: string
  checksum: string
  applied_at: Date
}

/** What is applied, pending, changed since it was applied, or applied but missing from disk. */
export async function migrationStatus(
  db: Database,
  migrations: readonly Migration[],
): Promise<MigrationStatus[]> {
  const applied = await readApplied(db)
  const statuses: MigrationStatus[] = migrations.map((m) => {
    const row = applied.get(key(m.source, m.version))
    applied.delete(key(m.source, m.version))
    return {
      id: m.id,
      source: m.source,
      version: m.version,
      name: m.name,
      state: row === undefined ? 'pending' : row.checksum === m.checksum ? 'applied' : 'changed',
      appliedAt: row?.applied_at,
    }
  })
  const knownSources = new Set(migrations.map((m) => m.source))
  for (const row of applied.values()) {
    if (!knownSources.has(row.source)) continue
    statuses.push({
      id: `${row.source}/${String(row.version).padStart(3, '0')}_${row.name}.sql`,
      source: row.source,
      version: row.version,
      name: row.name,
      state: 'missing',
      appliedAt: row.applied_at,
    })
  }
  return statuses
}

/**
 * Applies pending migrations in order, each in its own transaction with its bookkeeping row.
 * Refuses to start when an applied migration changed on disk or is missing from it.
 */
export async function migrate(
  db: Database,
  migrations: readonly Migration[],
  onApplied: (migration: Migration, ms: number) => void = () => {},
): Promise<MigrateResult> {
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY])
    await tx.exec(BOOKKEEPING)
  })
  const statuses = await migrationStatus(db, migrations)
  const drift = statuses.find((s) => s.state === 'changed' || s.state === 'missing')
  if (drift !== undefined) {
    return { applied: [], alreadyApplied: 0, error: driftError(drift) }
  }

  const pending = new Set(statuses.filter((s) => s.state === 'pending').map((s) => s.id))
  const result: MigrateResult = {
    applied: [],
    alreadyApplied: statuses.length - pending.size,
    error: undefined,
  }
  for (const migration of migrations) {
    if (!pending.has(migration.id)) continue
    const started = performance.now()
    try {
      const ran = await db.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY])
        const { rows } = await tx.query<{ checksum: string }>(
          'SELECT checksum FROM fte_migrations WHERE source = $1 AND version = $2',
          [migration.source, migration.version],
        )
        const existing = rows[0]
        if (existing !== undefined) {
          // Another process applied it while we waited for the lock.
          if (existing.checksum !== migration.checksum)
            throw driftError({ ...migration, state: 'changed' })
          return false
        }
        await tx.exec(migration.sql)
        await tx.query(
          `INSERT INTO fte_migrations (source, version, name, checksum, execution_ms)
           VALUES ($1, $2, $3, $4, $5)`,
          [
            migration.source,
            migration.version,
            migration.name,
            migration.checksum,
            Math.round(performance.now() - started),
          ],
        )
        return true
      })
      if (ran) {
        result.applied.push(migration)
        onApplied(migration, performance.now() - started)
      } else {
        result.alreadyApplied++
      }
    } catch (error) {
      result.error =
        error instanceof MigrationError
          ? error
          : new MigrationFailedError(failureMessage(migration, error), {
              migration: migration.id,
              cause: error,
            })
      return result
    }
  }
  return result
}

async function readApplied(db: Database): Promise<Map<string, AppliedRow>> {
  const exists = await db.query<{ found: string | null }>(
    "SELECT to_regclass('fte_migrations')::text AS found",
  )
  if (exists.rows[0]?.found == null) return new Map()
  const { rows } = await db.query<AppliedRow>(
    'SELECT source, version, name, checksum, applied_at FROM fte_migrations ORDER BY source, version',
  )
  return new Map(rows.map((row) => [key(row.source, row.version), row]))
}

function key(source: string, version: number): string {
  return `${source}/${version}`
}

function driftError(status: Pick<MigrationStatus, 'id' | 'state'>): MigrationError {
  return status.state === 'changed'
    ? new MigrationError(
        'migration_changed',
        `${status.id} was changed after it was applied to this database. Applied migrations must ` +
          'never be edited: restore the file and add a new migration for the change.',
        { migration: status.id },
      )
    : new MigrationError(
        'migration_missing',
        `${status.id} is applied to this database but its file is missing. Is this an older ` +
          'version of the code than the one that migrated the database?',
        { migration: status.id },
      )
}

function failureMessage(migration: Migration, error: unknown): string {
  const message = (error as Error).message ?? String(error)
  const state = sqlState(error)
  const aboutVector = /vector/i.test(message)
  if (
    aboutVector &&
    (state === SQLSTATE.insufficientPrivilege ||
      state === SQLSTATE.undefinedFile ||
      state === SQLSTATE.featureNotSupported)
  ) {
    return (
      `${migration.id} failed: ${message}. The pgvector extension must be installed on the ` +
      'server, and created by a role allowed to (ask an administrator to run CREATE EXTENSION vector).'
    )
  }
  return `${migration.id} failed, nothing of it was applied: ${message}`
}
