import { afterEach, beforeEach, expect, it } from 'vitest'
import { describeEachDatabase, type TestDatabase } from '../../test/support/test-databases.ts'

describeEachDatabase('the database layer', (target) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('fixture')
    await db.exec(`INSERT INTO users (id, display_name) VALUES ('a', 'pro')`)
  })
  afterEach(() => db.close())

  it('refuses a write in a read-only transaction and keeps nothing of it', async () => {
    await expect(
      db.transaction((tx) => tx.query(`UPDATE users SET display_name = 'free'`), {
        readOnly: true,
      }),
    ).rejects.toThrow(/read-only transaction/)
    const { rows } = await db.query('SELECT display_name FROM users')
    expect(rows).toEqual([{ display_name: 'pro' }])
  })

  if (target.name === 'pglite') {
    it('answers for a dedicated pool with itself: it has one connection', () => {
      expect(db.pool({ purpose: 'reads', readOnly: true, statementTimeoutMs: 250 })).toBe(db)
    })
  }

  if (target.name === 'postgres') {
    it('opens dedicated pools: read-only and limited as asked, statements prepared', async () => {
      const options = { purpose: 'reads', readOnly: true, statementTimeoutMs: 250 }
      const reads = db.pool(options)
      expect(db.pool({ ...options })).toBe(reads)
      expect(db.pool({ ...options, statementTimeoutMs: 500 })).not.toBe(reads)
      await expect(reads.query(`UPDATE users SET display_name = 'free'`)).rejects.toThrow(
        /read-only transaction/,
      )
      await expect(reads.query('SELECT pg_sleep(2)')).rejects.toThrow(/statement timeout/)
      await reads.transaction(async (tx) => {
        const { rows } = await tx.query<{ statement_timeout: string }>('SHOW statement_timeout')
        expect(rows).toEqual([{ statement_timeout: '250ms' }])
        await tx.query('SELECT count(*) FROM users WHERE display_name = $1', ['pro'])
        const prepared = await tx.query<{ statement: string }>(
          `SELECT statement FROM pg_prepared_statements WHERE name LIKE 'fte\\_%'`,
        )
        expect(prepared.rows.map((r) => r.statement)).toContain(
          'SELECT count(*) FROM users WHERE display_name = $1',
        )
      })
      const { rows: names } = await reads.query<{ application_name: string }>(
        'SHOW application_name',
      )
      expect(names[0]?.application_name).toMatch(/\(reads\)$/)
      // A pool with no limits asked for has none; the main pool is untouched by either.
      const audit = db.pool({ purpose: 'audit', max: 2 })
      await audit.query(`UPDATE users SET display_name = 'enterprise'`)
      await db.query(`UPDATE users SET display_name = 'free'`)
      const { rows } = await db.query<{ statement_timeout: string }>('SHOW statement_timeout')
      expect(rows).toEqual([{ statement_timeout: '0' }])
    })
  }
})
