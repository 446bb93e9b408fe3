import { afterEach, beforeEach, expect, it } from 'vitest'
import { supportPack } from '../../domains/support/index.ts'
import type { Identity } from '../../src/auth/identity.ts'
import { scopesFor } from '../../src/auth/scopes.ts'
import { packScopes } from '../../src/pack/domain-pack.ts'
import { begin, call, connect, testGateway } from '../support/gateway-client.ts'
import { describeEachDatabase, type TestDatabase } from '../support/test-databases.ts'
import { checkEras, checkRefundAnswers, checkStore } from './invariants.ts'
import type { CallRecord } from './load-client.ts'
import { insertFixture, LOAD } from './workload.ts'

const CUSTOMER: Identity = {
  sub: LOAD.subject(0),
  role: 'customer',
  scopes: scopesFor('customer', packScopes(supportPack)),
}

// The load suite's verdict rests on these checks: each must catch the breakage it names.
describeEachDatabase('load suite store checks', (target) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('support')
    await insertFixture(db, 2)
  })
  afterEach(() => db.close())

  async function writeThroughGateway() {
    const client = await connect(await testGateway(db, { pack: supportPack }), CUSTOMER)
    const session = await begin(client)
    const note = await call(client, 'user_save_note', { session, text: 'load note' })
    const refund = await call(client, 'domain_issue_refund', {
      session,
      order: LOAD.order(0, 0),
      amount_cents: 3500,
      reason: 'load test refund',
      idempotency_key: 'load-check-1',
    })
    expect([note.isError, refund.isError]).toEqual([false, false])
    return {
      notes: [String(note.data.note_id)],
      refunds: [{ id: String(refund.data.refund_id), key: `${CUSTOMER.sub}:load-check-1` }],
    }
  }

  it('finds nothing wrong with writes the gateway made, and counts them', async () => {
    const confirmed = await writeThroughGateway()
    const check = await checkStore(db, confirmed)
    expect(check.violations).toEqual([])
    expect(check.counts).toMatchObject({
      invocations: 3,
      refunds: 1,
      refundIssuedRows: 1,
      notes: 1,
      noteSavedRows: 1,
    })
  })

  it('reports a refund without its audit row, and one that no answer accounts for', async () => {
    const confirmed = await writeThroughGateway()
    await db.query(
      `INSERT INTO refunds (order_id, amount_cents, reason)
       SELECT id, 100, 'written around the gateway' FROM orders WHERE public_id = $1`,
      [LOAD.order(1, 0)],
    )
    const { violations } = await checkStore(db, confirmed)
    expect(violations).toEqual([
      '1 refunds without exactly one refund_issued row from a successful refund call',
      '2 refunds in the database, but clients were told of 1 (a refund no answer accounts for)',
    ])
  })

  it('reports writes a client was told about that are not there', async () => {
    const confirmed = await writeThroughGateway()
    const lost = {
      notes: [...confirmed.notes, '00000000-0000-4000-8000-000000000000'],
      refunds: [{ id: confirmed.refunds[0]?.id ?? '', key: 'load|customer-000:another-key' }],
    }
    const { violations } = await checkStore(db, lost)
    expect(violations).toEqual([
      '1 notes a client was told were saved that are missing (lost writes)',
      '1 refunds a client was told were issued that are missing or under another key (lost writes)',
    ])
  })

  it('reports an order refunded beyond its amount, and a note without its audit row', async () => {
    const confirmed = await writeThroughGateway()
    await db.query(
      `INSERT INTO refunds (order_id, amount_cents, reason)
       SELECT id, amount_cents, 'the rest and more' FROM orders WHERE public_id = $1`,
      [LOAD.order(0, 0)],
    )
    await db.query(`INSERT INTO notes (user_id, note_text) VALUES ($1, 'unaudited')`, [
      CUSTOMER.sub,
    ])
    const { violations } = await checkStore(db, confirmed)
    expect(violations).toContain('1 orders refunded beyond their amount')
    expect(violations).toContain(
      '1 notes without exactly one note_saved row from a successful note call',
    )
  })
})

it('reports one idempotency key answered differently, or carried out twice', () => {
  const answer = (data: Record<string, unknown>): CallRecord => ({
    tool: 'domain_issue_refund',
    replica: 0,
    era: 'legacy',
    ms: 1,
    at: 0,
    outcome: 'ok',
    data,
  })
  const issued = answer({ status: 'issued', refund_id: 'r1' })
  expect(
    checkRefundAnswers([
      { key: 'a', record: issued },
      { key: 'a', record: answer({ status: 'issued', refund_id: 'r1', replayed: true }) },
    ]),
  ).toEqual([])
  expect(
    checkRefundAnswers([
      { key: 'b', record: issued },
      { key: 'b', record: answer({ status: 'issued', refund_id: 'r2' }) },
    ]),
  ).toEqual(['key b got different answers: issued:r1, issued:r2', 'key b was carried out 2 times'])
})

it('counts the calls of each protocol era, and reports an era no call was made in', () => {
  const record = (era: CallRecord['era'], outcome: CallRecord['outcome']): CallRecord => ({
    tool: 'health',
    replica: 0,
    era,
    ms: 1,
    at: 0,
    outcome,
  })
  expect(
    checkEras([record('legacy', 'ok'), record('modern', 'ok'), record('modern', 'failed')]),
  ).toEqual({
    figure: '2025-11-25 (legacy) 1 of 1 succeeded; 2026-07-28 (modern) 1 of 2 succeeded',
    violations: [],
  })
  expect(checkEras([record('legacy', 'ok')]).violations).toEqual([
    'no call was made in the modern era',
  ])
})
