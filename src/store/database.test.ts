import { afterEach, beforeEach, expect, it } from 'vitest'
import { describeEachDatabase, type TestDatabase } from '../../test/support/test-databases.ts'

describeEachDatabase('the database layer', (target) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('migrated')
    await db.exec(`INSERT INTO customers (email, name, tier) VALUES ('a@example.com', 'A', 'pro')`)
  })
  afterEach(() => db.close())

  it('refuses a write in a read-only transaction and keeps nothing of it', async () => {
    await expect(
      db.transaction((tx) => tx.query(`UPDATE customers SET tier = 'free'`), { readOnly: true }),
    ).rejects.toThrow(/read-only transaction/)
    const { rows } = await db.query('SELECT tier FROM customers')
    expect(rows).toEqual([{ tier: 'pro' }])
  })

  if (target.name === 'pglite') {
    it('answers reads with itself: one connection, nothing to limit it apart', () => {
      expect(db.forReads({ statementTimeoutMs: 250 })).toBe(db)
    })
  }

  if (target.name === 'postgres') {
    it('gives reads a pool of their own: read-only, limited, statements prepared', async () => {
      const reads = db.forReads({ statementTimeoutMs: 250 })
      expect(db.forReads({ statementTimeoutMs: 250 })).toBe(reads)
      expect(db.forReads({ statementTimeoutMs: 500 })).not.toBe(reads)
      await expect(reads.query(`UPDATE customers SET tier = 'free'`)).rejects.toThrow(
        /read-only transaction/,
      )
      await expect(reads.query('SELECT pg_sleep(2)')).rejects.toThrow(/statement timeout/)
      await reads.transaction(async (tx) => {
        const { rows } = await tx.query<{ statement_timeout: string }>('SHOW statement_timeout')
        expect(rows).toEqual([{ statement_timeout: '250ms' }])
        await tx.query('SELECT count(*) FROM customers WHERE tier = $1', ['pro'])
        const prepared = await tx.query<{ statement: string }>(
          `SELECT statement FROM pg_prepared_statements WHERE name LIKE 'fte\\_%'`,
        )
        expect(prepared.rows.map((r) => r.statement)).toContain(
          'SELECT count(*) FROM customers WHERE tier = $1',
        )
      })
      // The main pool is untouched: it writes, and has no statement limit.
      await db.query(`UPDATE customers SET tier = 'free'`)
      const { rows } = await db.query<{ statement_timeout: string }>('SHOW statement_timeout')
      expect(rows).toEqual([{ statement_timeout: '0' }])
    })
  }
})
