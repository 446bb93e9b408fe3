import { afterEach, beforeEach, expect, it } from 'vitest'
import { decideStaffRequest } from '../../../src/gateway/staff-decision.ts'
import { staffRequests } from '../../../src/memory/staff-requests.ts'
import { describeEachEraAndDatabase } from '../../../test/support/each-era-and-database.ts'
import { begin, call, connect, testGateway } from '../../../test/support/gateway-client.ts'
import { MAYA, STAFF } from '../../../test/support/support-scenario.ts'
import type { TestDatabase } from '../../../test/support/test-databases.ts'
import { loadDemoData } from '../demo/load-demo-data.ts'
import { supportPack } from '../index.ts'

/** Maya's demo order over the self-serve limit: $450.00, delivered a week ago, nothing refunded. */
const LARGE_ORDER = '4356'

describeEachEraAndDatabase('refunds that need a staff decision', (target, era) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('support')
    await loadDemoData(db)
  })
  afterEach(() => db.close())

  /** Maya, over MCP with the official client, asks for `cents` on the large order. */
  async function mayaAsks(cents: number, key = `maya-large-${cents}`) {
    const client = await connect(await testGateway(db, { pack: supportPack }), MAYA, era)
    const session = await begin(client)
    const reply = await call(client, 'domain_issue_refund', {
      session,
      order: LARGE_ORDER,
      amount_cents: cents,
      reason: 'The whole order arrived broken',
      idempotency_key: key,
    })
    expect(reply.isError, reply.text).toBe(false)
    return { client, reply, requestId: String(reply.data.request_id) }
  }

  async function refundRows() {
    const { rows } = await db.query<{ refunds: number; cents: number; decided: number }>(
      `SELECT (SELECT count(*) FROM refunds r JOIN orders o ON o.id = r.order_id
               WHERE o.public_id = $1)::int AS refunds,
              (SELECT coalesce(sum(r.amount_cents), 0) FROM refunds r JOIN orders o
               ON o.id = r.order_id WHERE o.public_id = $1)::int AS cents,
              (SELECT count(*) FROM audit_log WHERE action = 'staff_request_decided')::int AS decided`,
      [LARGE_ORDER],
    )
    return rows[0]
  }

  async function decide(
    requestId: string,
    identity = STAFF,
    decision: 'approved' | 'rejected' = 'approved',
    reason?: string,
  ) {
    const gateway = await testGateway(db, { pack: supportPack })
    return decideStaffRequest(await gateway.ready, gateway.tools, {
      requestId,
      decision,
      reason,
      identity,
    })
  }

  it('records the request with its audit row, and refunds nothing on the customer identity', async () => {
    const { requestId } = await mayaAsks(45_000)
    const request = await staffRequests.find(db, requestId)
    expect(request).toMatchObject({
      kind: 'refund',
      tool: 'domain_issue_refund',
      status: 'pending',
      requestedBy: MAYA.sub,
      arguments: { order: LARGE_ORDER, amount_cents: 45_000 },
    })
    expect(request?.arguments).not.toHaveProperty('session')
    expect(request?.summary.title).toBe('Refund $450.00 on order #4356')
    const { rows } = await db.query(
      `SELECT actor, target FROM audit_log WHERE action = 'staff_request_routed'`,
    )
    expect(rows).toEqual([{ actor: `gateway:${MAYA.sub}`, target: `staff_request:${requestId}` }])
    expect(await refundRows()).toEqual({ refunds: 0, cents: 0, decided: 0 })
  })

  it('refuses a reason it cannot keep, as bad input, and leaves the request waiting', async () => {
    const { requestId } = await mayaAsks(45_000)
    await expect(decide(requestId, STAFF, 'rejected', 'x'.repeat(1001))).rejects.toMatchObject({
      code: 'invalid_input',
    })
    await expect(decide(requestId, STAFF, 'rejected', '  ')).rejects.toMatchObject({
      code: 'invalid_input',
    })
    expect((await staffRequests.find(db, requestId))?.status).toBe('pending')
  })

  it('refuses a customer deciding the request, even their own', async () => {
    const { requestId } = await mayaAsks(45_000)
    await expect(decide(requestId, MAYA)).rejects.toMatchObject({ code: 'forbidden' })
    expect((await staffRequests.find(db, requestId))?.status).toBe('pending')
    expect(await refundRows()).toEqual({ refunds: 0, cents: 0, decided: 0 })
  })

  it('executes an approval once, as staff for the customer, and tells the customer at the next begin_session', async () => {
    const { client, requestId } = await mayaAsks(45_000)
    const decided = await decide(requestId)
    expect(decided).toMatchObject({ status: 'approved', decidedBy: STAFF.sub, reportedAt: null })
    expect(decided.outcome?.text).toContain('Refund of $450.00 issued on order #4356')
    expect(await refundRows()).toEqual({ refunds: 1, cents: 45_000, decided: 1 })
    const { rows: refund } = await db.query(
      'SELECT requested_by FROM refunds WHERE amount_cents = 45000',
    )
    expect(refund).toEqual([{ requested_by: MAYA.sub }])
    const { rows: audit } = await db.query<{ actor: string; payload: Record<string, unknown> }>(
      `SELECT actor, payload FROM audit_log WHERE action = 'staff_request_decided'`,
    )
    expect(audit).toEqual([
      {
        actor: `staff:${STAFF.sub}`,
        payload: expect.objectContaining({
          decided_by: STAFF.sub,
          for: MAYA.sub,
          decision: 'approved',
        }),
      },
    ])
    // An MCP client of Maya's hears of it when it next begins a session, and only once.
    const told = await call(client, 'begin_session', {})
    expect(told.data.decisions).toEqual([
      expect.objectContaining({ request_id: requestId, decision: 'approved' }),
    ])
    expect(told.text).toContain('was approved by a support lead')
    expect((await call(client, 'begin_session', {})).data.decisions).toBeUndefined()
    await expect(decide(requestId)).rejects.toMatchObject({ code: 'conflict' })
    expect(await refundRows()).toEqual({ refunds: 1, cents: 45_000, decided: 1 })
  })

  it('gives two staff deciding at once one refund and one decision', async () => {
    const { requestId } = await mayaAsks(45_000)
    const results = await Promise.allSettled([decide(requestId), decide(requestId)])
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected'])
    expect(await refundRows()).toEqual({ refunds: 1, cents: 45_000, decided: 1 })
  })

  it('keeps a waiting request decidable by a gateway started afterwards (a restart)', async () => {
    const { requestId } = await mayaAsks(30_000)
    // A new gateway on the same database: nothing of the request lived in the first one's memory.
    expect((await staffRequests.pending(db)).map((r) => r.id)).toEqual([requestId])
    const decided = await decide(
      requestId,
      STAFF,
      'rejected',
      'Please send photos of the damage first.',
    )
    expect(decided).toMatchObject({
      status: 'rejected',
      reason: 'Please send photos of the damage first.',
    })
    expect(await refundRows()).toEqual({ refunds: 0, cents: 0, decided: 1 })
  })

  it('never refunds over the self-serve limit on the customer identity by splitting or retrying', async () => {
    const first = await mayaAsks(20_000, 'split-one')
    expect(first.reply.data).toMatchObject({ status: 'issued' })
    const second = await mayaAsks(20_000, 'split-two')
    const third = await mayaAsks(10_000, 'split-three')
    const again = await mayaAsks(20_000, 'split-two')
    expect([second.reply.data.status, third.reply.data.status]).toEqual([
      'pending_review',
      'pending_review',
    ])
    expect(again.reply.data).toMatchObject({ status: 'pending_review', replayed: true })
    expect(await refundRows()).toEqual({ refunds: 1, cents: 20_000, decided: 0 })
  })
})
