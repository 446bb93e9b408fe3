import pg from 'pg'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { expectSqlState } from '../../test/support/expect-sql-error.ts'
import { describeEachDatabase, type TestDatabase } from '../../test/support/test-databases.ts'
import { SQLSTATE } from '../store/sql-error.ts'
import { writeAudit } from './audit-writer.ts'

describeEachDatabase('audit_log is append-only', (target) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('fixture')
    await writeAudit(db, { action: 'seed_run', actor: 'system', payload: { n: 1 } })
    await writeAudit(db, { action: 'note_saved', actor: 'system' })
  })
  afterEach(() => db.close())

  it.each([
    ['UPDATE', `UPDATE audit_log SET actor = 'attacker'`],
    ['DELETE', 'DELETE FROM audit_log'],
    ['TRUNCATE', 'TRUNCATE audit_log'],
    ['an UPDATE matching no row', 'UPDATE audit_log SET actor = actor WHERE id < 0'],
  ])('refuses %s and leaves every row as it was', async (_name, sql) => {
    // PGlite runs as a superuser, so its trigger answers; on Postgres the application role's missing
    // privilege answers first. Each layer is also tested alone below.
    await expectSqlState(
      () => db.exec(sql),
      [SQLSTATE.raiseException, SQLSTATE.insufficientPrivilege],
    )
    const { rows } = await db.query<{ actor: string }>('SELECT actor FROM audit_log ORDER BY id')
    expect(rows).toEqual([{ actor: 'system' }, { actor: 'system' }])
  })

  it('still accepts new rows', async () => {
    const id = await writeAudit(db, { action: 'seed_run', actor: 'system' })
    expect(id).toBeGreaterThan(0)
    expect((await db.query('SELECT * FROM audit_log')).rowCount).toBe(3)
  })

  if (target.name === 'pglite') {
    it('names the rule when the trigger refuses', async () => {
      const message = await expectSqlState(
        () => db.exec('DELETE FROM audit_log'),
        SQLSTATE.raiseException,
      )
      expect(message).toMatch(/audit_log is append-only: DELETE is refused/)
    })
  }

  if (target.name === 'postgres') {
    it('refuses through the trigger even a role given back the privileges', async () => {
      const messages = await attemptEachChange(
        db,
        'GRANT UPDATE, DELETE, TRUNCATE ON audit_log TO CURRENT_USER',
        SQLSTATE.raiseException,
      )
      for (const message of messages) expect(message).toMatch(/audit_log is append-only/)
    })

    it('refuses the application role even with the trigger disabled (privileges)', async () => {
      // The suite connects as the application role, which owns the schema but is no superuser.
      const role = await db.query<{ rolsuper: boolean }>(
        'SELECT rolsuper FROM pg_roles WHERE rolname = current_user',
      )
      expect(role.rows[0]?.rolsuper, 'TEST_DATABASE_URL must use a non-superuser role').toBe(false)
      await attemptEachChange(
        db,
        'ALTER TABLE audit_log DISABLE TRIGGER USER',
        SQLSTATE.insufficientPrivilege,
      )
    })
  }
})

/**
 * On its own connection, inside a transaction that is rolled back: runs `setup` (which lifts one
 * of the two protections), then tries UPDATE, DELETE and TRUNCATE, each expected to fail with
 * `code`. Checks that the audit rows are untouched afterwards; returns the error messages.
 */
async function attemptEachChange(db: TestDatabase, setup: string, code: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: db.url })
  await client.connect()
  const messages: string[] = []
  try {
    await client.query('BEGIN')
    await client.query(setup)
    for (const sql of [
      `UPDATE audit_log SET actor = 'attacker'`,
      'DELETE FROM audit_log',
      'TRUNCATE audit_log',
    ]) {
      await client.query('SAVEPOINT attempt')
      messages.push(await expectSqlState(() => client.query(sql), code))
      await client.query('ROLLBACK TO SAVEPOINT attempt')
    }
    await client.query('ROLLBACK')
  } finally {
    await client.end()
  }
  expect((await db.query(`SELECT * FROM audit_log WHERE actor = 'system'`)).rowCount).toBe(2)
  return messages
}
