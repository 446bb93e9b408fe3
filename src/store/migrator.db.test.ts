import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { fixturePack } from '../../test/fixture-pack/index.ts'
import { describeEachDatabase, type TestDatabase } from '../../test/support/test-databases.ts'
import { migrationSources } from '../pack/domain-pack.ts'
import { loadMigrations, type MigrationSource } from './migration-files.ts'
import { migrate, migrationStatus } from './migrator.ts'

const EXPECTED_TABLES = [
  'agent_runs',
  'agent_spans',
  'approvals',
  'audit_log',
  'bookings',
  'capability_invocations',
  'change_events',
  'change_feed_head',
  'consent_requests',
  'conversations',
  'documents',
  'email_outbox',
  'email_thread_messages',
  'email_threads',
  'embeddings',
  'fte_migrations',
  'gateway_secrets',
  'idempotency_records',
  'inbound_emails',
  'inbound_receipts',
  'inbox_claims',
  'job_engines',
  'job_once',
  'job_runs',
  'messages',
  'notes',
  'rate_limits',
  'refused_calls',
  'staff_requests',
  'user_state',
  'users',
]

async function tables(db: TestDatabase): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = 'public' ORDER BY table_name`,
  )
  return rows.map((r) => r.name)
}

describeEachDatabase('migrations', (target) => {
  let db: TestDatabase
  let scratch: string
  beforeEach(async () => {
    db = await target.open('empty')
    scratch = await mkdtemp(join(tmpdir(), 'fte-migrations-'))
  })
  afterEach(async () => {
    await db.close()
    await rm(scratch, { recursive: true, force: true })
  })

  it('apply from empty in order, then re-apply as a no-op', async () => {
    const migrations = await loadMigrations(migrationSources(fixturePack))
    const first = await migrate(db, migrations)
    expect(first.error).toBeUndefined()
    expect(first.applied.map((m) => m.id)).toEqual(migrations.map((m) => m.id))
    expect(first.applied[0]?.id).toBe('core/001_system_of_record.sql')
    expect(await tables(db)).toEqual(EXPECTED_TABLES)
    const vector = await db.query("SELECT 1 FROM pg_extension WHERE extname = 'vector'")
    expect(vector.rowCount).toBe(1)

    const second = await migrate(db, migrations)
    expect(second.error).toBeUndefined()
    expect(second.applied).toEqual([])
    expect(second.alreadyApplied).toBe(migrations.length)
    const recorded = await db.query('SELECT * FROM fte_migrations')
    expect(recorded.rowCount).toBe(migrations.length)
    const statuses = await migrationStatus(db, migrations)
    expect(statuses.every((s) => s.state === 'applied')).toBe(true)
  })

  it('refuse an applied migration whose file changed, and apply nothing new', async () => {
    const source: MigrationSource = { name: 'core', dir: scratch }
    await writeFile(join(scratch, '001_first.sql'), 'CREATE TABLE first_t (id int);\n')
    expect((await migrate(db, await loadMigrations([source]))).error).toBeUndefined()

    await writeFile(join(scratch, '001_first.sql'), 'CREATE TABLE first_t (id bigint);\n')
    await writeFile(join(scratch, '002_second.sql'), 'CREATE TABLE second_t (id int);\n')
    const migrations = await loadMigrations([source])
    const result = await migrate(db, migrations)

    expect(result.error?.code).toBe('migration_changed')
    expect(result.error?.message).toContain('core/001_first.sql')
    expect(result.applied).toEqual([])
    expect((await db.query("SELECT to_regclass('second_t') AS t")).rows[0]).toEqual({ t: null })
    const status = await migrationStatus(db, migrations)
    expect(status.map((s) => [s.id, s.state])).toEqual([
      ['core/001_first.sql', 'changed'],
      ['core/002_second.sql', 'pending'],
    ])
  })

  it('treat a file that differs only in line endings as unchanged', async () => {
    const source: MigrationSource = { name: 'core', dir: scratch }
    await writeFile(join(scratch, '001_first.sql'), 'CREATE TABLE first_t (id int);\n')
    await migrate(db, await loadMigrations([source]))
    await writeFile(join(scratch, '001_first.sql'), 'CREATE TABLE first_t (id int);\r\n')
    const result = await migrate(db, await loadMigrations([source]))
    expect(result.error).toBeUndefined()
    expect(result.alreadyApplied).toBe(1)
  })

  it('refuse to go on when an applied migration is missing from disk', async () => {
    const source: MigrationSource = { name: 'core', dir: scratch }
    await writeFile(join(scratch, '001_first.sql'), 'CREATE TABLE first_t (id int);\n')
    await writeFile(join(scratch, '002_second.sql'), 'CREATE TABLE second_t (id int);\n')
    await migrate(db, await loadMigrations([source]))
    await rm(join(scratch, '002_second.sql'))
    const result = await migrate(db, await loadMigrations([source]))
    expect(result.error?.code).toBe('migration_missing')
    expect(result.error?.message).toContain('core/002_second.sql')
  })

  it('roll a failing migration back whole and keep the ones before it', async () => {
    const source: MigrationSource = { name: 'core', dir: scratch }
    await writeFile(join(scratch, '001_good.sql'), 'CREATE TABLE good_t (id int);\n')
    await writeFile(
      join(scratch, '002_bad.sql'),
      'CREATE TABLE half_t (id int);\nINSERT INTO no_such_table VALUES (1);\n',
    )
    await writeFile(join(scratch, '003_after.sql'), 'CREATE TABLE after_t (id int);\n')
    const result = await migrate(db, await loadMigrations([source]))

    expect(result.applied.map((m) => m.id)).toEqual(['core/001_good.sql'])
    expect(result.error?.code).toBe('migration_failed')
    expect(result.error?.message).toMatch(/core\/002_bad.sql failed.*no_such_table/)
    const present = await db.query<{
      good: string | null
      half: string | null
      after: string | null
    }>(
      "SELECT to_regclass('good_t')::text AS good, to_regclass('half_t')::text AS half, to_regclass('after_t')::text AS after",
    )
    expect(present.rows[0]).toEqual({ good: 'good_t', half: null, after: null })
    expect((await db.query('SELECT * FROM fte_migrations')).rowCount).toBe(1)
  })

  it('let two migrators race and apply each migration exactly once', async () => {
    const migrations = await loadMigrations(migrationSources(fixturePack))
    const results = await Promise.all([migrate(db, migrations), migrate(db, migrations)])
    expect(results.map((r) => r.error)).toEqual([undefined, undefined])
    expect(results[0].applied.length + results[1].applied.length).toBe(migrations.length)
    expect((await db.query('SELECT * FROM fte_migrations')).rowCount).toBe(migrations.length)
  })
})
