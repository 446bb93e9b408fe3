import { createHash } from 'node:crypto'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { expectSqlState } from '../../../test/support/expect-sql-error.ts'
import { describeEachDatabase, type TestDatabase } from '../../../test/support/test-databases.ts'
import { inboundReceipts } from './receipts.ts'

const digestOf = (text: string) => createHash('sha256').update(text).digest('hex')

describeEachDatabase('inbound receipts', (target) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('fixture')
  })
  afterEach(() => db.close())

  it('say a digest is new the first time only, whichever route sends it again', async () => {
    const digest = digestOf('one')
    expect(await inboundReceipts.firstSight(db, { digest, route: 'email' })).toBe(true)
    expect(await inboundReceipts.firstSight(db, { digest, route: 'email' })).toBe(false)
    expect(await inboundReceipts.firstSight(db, { digest, route: 'webhook' })).toBe(false)
    expect(
      await inboundReceipts.firstSight(db, { digest: digestOf('two'), route: 'webhook' }),
    ).toBe(true)
    const { rows } = await db.query('SELECT digest, route FROM inbound_receipts ORDER BY route')
    expect(rows).toEqual([
      { digest, route: 'email' },
      { digest: digestOf('two'), route: 'webhook' },
    ])
  })

  it('keep no receipt from a transaction rolled back, so the same request may be retried', async () => {
    const digest = digestOf('retried')
    await expect(
      db.transaction(async (tx) => {
        expect(await inboundReceipts.firstSight(tx, { digest, route: 'webhook' })).toBe(true)
        throw new Error('the job could not be created')
      }),
    ).rejects.toThrow('the job could not be created')
    expect(await inboundReceipts.firstSight(db, { digest, route: 'webhook' })).toBe(true)
  })

  it('refuse a digest that is not a sha256 in lower-case hex', async () => {
    await expectSqlState(
      () => inboundReceipts.firstSight(db, { digest: 'ABC', route: 'email' }),
      '23514',
    )
  })

  it('forget the receipts from before the cutoff only, and say how many', async () => {
    await db.query(
      `INSERT INTO inbound_receipts (digest, route, received_at) VALUES
         ($1, 'email', now() - interval '2 hours'),
         ($2, 'webhook', now() - interval '90 minutes'),
         ($3, 'webhook', now() - interval '5 minutes')`,
      [digestOf('old'), digestOf('older'), digestOf('recent')],
    )
    const cutoff = new Date(Date.now() - 60 * 60_000)
    expect(await inboundReceipts.forgetBefore(db, cutoff)).toBe(2)
    expect(await inboundReceipts.forgetBefore(db, cutoff)).toBe(0)
    const { rows } = await db.query('SELECT digest FROM inbound_receipts')
    expect(rows).toEqual([{ digest: digestOf('recent') }])
    // A forgotten digest is new again: the signature's timestamp is what refuses it by then.
    expect(await inboundReceipts.firstSight(db, { digest: digestOf('old'), route: 'email' })).toBe(
      true,
    )
  })
})
