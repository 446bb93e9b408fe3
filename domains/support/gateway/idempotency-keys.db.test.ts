import { afterEach, beforeEach, expect, it } from 'vitest'
import { describeEachEraAndDatabase } from '../../../test/support/each-era-and-database.ts'
import { begin, call, connect, testGateway } from '../../../test/support/gateway-client.ts'
import { DANIEL, MAYA } from '../../../test/support/support-scenario.ts'
import type { TestDatabase } from '../../../test/support/test-databases.ts'
import { loadDemoData } from '../demo/load-demo-data.ts'
import { supportPack } from '../index.ts'

describeEachEraAndDatabase('idempotency keys belong to their caller', (target, era) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('support')
    await loadDemoData(db)
    // One fresh, refundable $100 order each (delivered yesterday).
    for (const [publicId, sub] of [
      ['990001', MAYA.sub],
      ['990002', DANIEL.sub],
    ]) {
      await db.query(
        `INSERT INTO orders (customer_id, public_id, placed_at, delivered_at, amount_cents, status)
         SELECT id, $1, now() - interval '3 days', now() - interval '1 day', 10000, 'delivered'
         FROM customers WHERE auth_subject = $2`,
        [publicId, sub],
      )
    }
  })
  afterEach(() => db.close())

  async function refundsWithKey(key: string) {
    const { rows } = await db.query<{ requested_by: string; public_id: string }>(
      `SELECT r.requested_by, o.public_id FROM refunds r JOIN orders o ON o.id = r.order_id
       WHERE r.idempotency_key = $1 ORDER BY o.public_id`,
      [key],
    )
    return rows
  }

  it("neither reveals nor blocks a key another customer used: B's use, even blocked, leaves A's key free", async () => {
    const gateway = await testGateway(db, { pack: supportPack })
    const [maya, daniel] = [await connect(gateway, MAYA, era), await connect(gateway, DANIEL, era)]
    const [mayaSession, danielSession] = [await begin(maya), await begin(daniel)]

    // Daniel takes a key first, and with a request the policy blocks (over his order's total).
    const blocked = await call(daniel, 'domain_issue_refund', {
      session: danielSession,
      order: '990002',
      amount_cents: 20_000,
      reason: 'taking the key',
      idempotency_key: 'shared-key-0001',
    })
    expect(blocked.data.status).toBe('blocked')
    // Maya's request with the same key is hers: issued, no word of Daniel's.
    const mine = await call(maya, 'domain_issue_refund', {
      session: mayaSession,
      order: '990001',
      amount_cents: 5_000,
      reason: 'damaged item',
      idempotency_key: 'shared-key-0001',
    })
    expect(mine.isError).toBe(false)
    expect(mine.data).toMatchObject({ status: 'issued', amount_cents: 5_000 })
    expect(mine.text).not.toMatch(/already used|first request/)
    // And Daniel's own key, reused for another request of his, is still his to answer.
    const again = await call(daniel, 'domain_issue_refund', {
      session: danielSession,
      order: '990002',
      amount_cents: 1_000,
      reason: 'another request',
      idempotency_key: 'shared-key-0001',
    })
    expect(again.isError).toBe(true)
    expect(again.text).toMatch(/already used for a different refund request/)
    expect(await refundsWithKey('shared-key-0001')).toEqual([
      { requested_by: MAYA.sub, public_id: '990001' },
    ])

    // Both issue refunds under one key: one each, and each replays only their own.
    await call(daniel, 'domain_issue_refund', {
      session: danielSession,
      order: '990002',
      amount_cents: 2_000,
      reason: 'late delivery',
      idempotency_key: 'shared-key-0002',
    })
    await call(maya, 'domain_issue_refund', {
      session: mayaSession,
      order: '990001',
      amount_cents: 1_000,
      reason: 'late delivery',
      idempotency_key: 'shared-key-0002',
    })
    const replay = await call(maya, 'domain_issue_refund', {
      session: mayaSession,
      order: '990001',
      amount_cents: 1_000,
      reason: 'late delivery',
      idempotency_key: 'shared-key-0002',
    })
    expect(replay.data).toMatchObject({ replayed: true, order: '#990001', amount_cents: 1_000 })
    expect(await refundsWithKey('shared-key-0002')).toEqual([
      { requested_by: MAYA.sub, public_id: '990001' },
      { requested_by: DANIEL.sub, public_id: '990002' },
    ])
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'refund_issued'
       AND target IN ('order:990001', 'order:990002')`,
    )
    expect(rows[0]?.n).toBe(3)
  })
})
