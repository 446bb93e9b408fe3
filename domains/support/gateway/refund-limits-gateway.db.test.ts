import type { Client } from '@modelcontextprotocol/client'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { describeEachEraAndDatabase } from '../../../test/support/each-era-and-database.ts'
import { begin, call, connect, testGateway } from '../../../test/support/gateway-client.ts'
import { MAYA, STAFF } from '../../../test/support/support-scenario.ts'
import type { TestDatabase } from '../../../test/support/test-databases.ts'
import { loadDemoData } from '../demo/load-demo-data.ts'
import { supportPack } from '../index.ts'

/** Maya's demo order over the self-serve limit: $450.00, delivered a week ago, nothing refunded. */
const MAYAS_LARGE_ORDER = '4356'

describeEachEraAndDatabase('refund limits per order, through the gateway', (target, era) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('support')
    await loadDemoData(db)
  })
  afterEach(() => db.close())

  /** The rows a refund call can leave on one order: refunds, their sum, and domain audit rows. */
  async function rowsOn(order: string) {
    const { rows } = await db.query<Record<string, number>>(
      `SELECT (SELECT count(*) FROM refunds r JOIN orders o ON o.id = r.order_id
               WHERE o.public_id = $1)::int AS refunds,
              (SELECT coalesce(sum(r.amount_cents), 0) FROM refunds r
               JOIN orders o ON o.id = r.order_id WHERE o.public_id = $1)::int AS refunded_cents,
              (SELECT count(*) FROM audit_log
               WHERE action = 'refund_issued' AND target = 'order:' || $1)::int AS issued,
              (SELECT count(*) FROM audit_log
               WHERE action = 'refund_blocked' AND target = 'order:' || $1)::int AS blocked,
              (SELECT count(*) FROM staff_requests
               WHERE arguments->>'order' = $1 AND status = 'pending')::int AS pending`,
      [order],
    )
    return rows[0]
  }

  async function asker(identity: typeof MAYA) {
    const client: Client = await connect(
      await testGateway(db, { pack: supportPack }),
      identity,
      era,
    )
    const session = await begin(client)
    let n = 0
    return async (order: string, amountCents: number) => {
      const reply = await call(client, 'domain_issue_refund', {
        session,
        order,
        amount_cents: amountCents,
        reason: 'Part of the order came back',
        idempotency_key: `${identity.sub.replace('|', '-')}-${order}-${++n}`,
      })
      expect(reply.isError, reply.text).toBe(false)
      return reply
    }
  }

  it('puts the second of two $200 refunds by the customer on one order to staff, refunding nothing', async () => {
    const maya = await asker(MAYA)
    expect(await rowsOn(MAYAS_LARGE_ORDER)).toEqual({
      refunds: 0,
      refunded_cents: 0,
      issued: 0,
      blocked: 0,
      pending: 0,
    })
    expect((await maya(MAYAS_LARGE_ORDER, 20_000)).data).toMatchObject({ status: 'issued' })
    const second = await maya(MAYAS_LARGE_ORDER, 20_000)
    expect(second.data).toMatchObject({ status: 'pending_review' })
    expect(second.text).toContain('pending review by a support lead')
    expect(second.text).toContain(`request ${String(second.data.request_id)}`)
    expect(await rowsOn(MAYAS_LARGE_ORDER)).toEqual({
      refunds: 1,
      refunded_cents: 20_000,
      issued: 1,
      blocked: 0,
      pending: 1,
    })
  })

  it('lets staff top an order up to the staff limit and not beyond', async () => {
    await db.query(
      `INSERT INTO orders (public_id, customer_id, placed_at, delivered_at, amount_cents, status)
       SELECT '9901', id, now() - interval '4 days', now() - interval '1 day', 80000, 'delivered'
       FROM customers WHERE auth_subject = $1`,
      [MAYA.sub],
    )
    const [maya, staff] = [await asker(MAYA), await asker(STAFF)]
    expect((await maya('9901', 20_000)).data).toMatchObject({ status: 'issued' })
    expect((await maya('9901', 10_000)).data).toMatchObject({ status: 'pending_review' })
    expect((await staff('9901', 30_000)).data).toMatchObject({
      status: 'issued',
      refunded_total_cents: 50_000,
    })
    expect((await staff('9901', 1)).data).toMatchObject({ rule: 'needs_billing' })
    expect(await rowsOn('9901')).toEqual({
      refunds: 2,
      refunded_cents: 50_000,
      issued: 2,
      blocked: 1,
      pending: 1,
    })
  })

  it("puts Maya's refund of her $450 order in full to staff, and lets staff issue it", async () => {
    const routed = await (await asker(MAYA))(MAYAS_LARGE_ORDER, 45_000)
    expect(routed.data).toMatchObject({ status: 'pending_review' })
    expect(await rowsOn(MAYAS_LARGE_ORDER)).toMatchObject({ refunds: 0, blocked: 0, pending: 1 })
    const issued = await (await asker(STAFF))(MAYAS_LARGE_ORDER, 45_000)
    expect(issued.data).toMatchObject({ status: 'issued', remaining_cents: 0 })
    expect(await rowsOn(MAYAS_LARGE_ORDER)).toEqual({
      refunds: 1,
      refunded_cents: 45_000,
      issued: 1,
      blocked: 0,
      pending: 1,
    })
    const { rows } = await db.query<{ status: string }>(
      'SELECT status FROM orders WHERE public_id = $1',
      [MAYAS_LARGE_ORDER],
    )
    expect(rows).toEqual([{ status: 'refunded' }])
  })
})
