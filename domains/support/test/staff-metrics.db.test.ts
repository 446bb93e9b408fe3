import { afterEach, beforeEach, expect, it } from 'vitest'
import { computeMetrics } from '../../../src/gateway/staff-metrics.ts'
import { describeEachDatabase, type TestDatabase } from '../../../test/support/test-databases.ts'
import { supportMetrics } from '../staff/metrics.ts'

const PERIOD = { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-04-01T00:00:00Z') }

describeEachDatabase("the support pack's metrics", (target) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('support')
  })
  afterEach(() => db.close())

  /** Four conversations in March with a message, one of them escalated; refunds in and out of it. */
  async function construct() {
    for (const [n, escalated] of [
      [1, true],
      [2, false],
      [3, false],
      [4, false],
    ] as const) {
      const id = `b0000000-0000-4000-8000-00000000000${n}`
      await db.query(
        `INSERT INTO conversations (id, user_id, started_at) VALUES ($1, 'demo|c', '2026-03-0${n}T10:00:00Z')`,
        [id],
      )
      await db.query(
        `INSERT INTO messages (conversation_id, role, content, created_at)
         VALUES ($1, 'user', 'hello', '2026-03-0${n}T10:00:00Z')`,
        [id],
      )
      if (escalated) await audit(id, 'ticket_escalated', '2026-03-01T10:05:00Z', {})
    }
    await audit(null, 'refund_issued', '2026-03-02T10:00:00Z', { amount_cents: 12_000 })
    await audit(null, 'refund_issued', '2026-03-03T10:00:00Z', { amount_cents: 8_000 })
    await audit(null, 'refund_blocked', '2026-03-03T11:00:00Z', { amount_cents: 30_000 })
    await audit(null, 'refund_issued', '2026-02-27T10:00:00Z', { amount_cents: 99_999 })
  }

  const audit = (id: string | null, action: string, at: string, payload: object) =>
    db.query(
      `INSERT INTO audit_log (conversation_id, actor, action, payload, created_at)
       VALUES ($1, 'test', $2, $3::jsonb, $4)`,
      [id, action, JSON.stringify(payload), at],
    )

  it('gives the escalation rate and the refunds issued and blocked, by count and amount', async () => {
    await construct()
    const figures = new Map(
      (await computeMetrics(db, supportMetrics, PERIOD)).map((f) => [f.name, f]),
    )
    expect(figures.get('escalation_rate')?.value).toBe(25)
    expect(figures.get('refunds')?.rows).toEqual([
      { label: 'blocked', value: 1 },
      { label: 'issued', value: 2 },
    ])
    expect(figures.get('refund_amounts')?.rows).toEqual([
      { label: 'blocked', value: 300 },
      { label: 'issued', value: 200 },
    ])
  })
})
