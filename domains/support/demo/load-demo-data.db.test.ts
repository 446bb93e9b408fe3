import { afterEach, beforeEach, expect, it } from 'vitest'
import { loadTimeline } from '../../../src/memory/timeline.ts'
import { describeEachDatabase, type TestDatabase } from '../../../test/support/test-databases.ts'
import { DEMO_CONVERSATION_ID } from './demo-conversation.ts'
import { demoData } from './demo-data.ts'
import { loadDemoData } from './load-demo-data.ts'

/** Every table of the demo data, empty. */
const NOTHING = {
  customers: 0,
  orders: 0,
  tickets: 0,
  refunds: 0,
  documents: 0,
  pastCases: 0,
  conversations: 0,
}

async function tableCounts(db: TestDatabase) {
  const { rows } = await db.query<Record<string, number>>(
    `SELECT (SELECT count(*) FROM customers)::int AS customers,
            (SELECT count(*) FROM orders)::int AS orders,
            (SELECT count(*) FROM tickets)::int AS tickets,
            (SELECT count(*) FROM refunds)::int AS refunds,
            (SELECT count(*) FROM documents WHERE source = 'policy')::int AS documents,
            (SELECT count(*) FROM documents WHERE source = 'past_case')::int AS "pastCases",
            (SELECT count(*) FROM conversations)::int AS conversations`,
  )
  return rows[0]
}

describeEachDatabase('the support demo data', (target) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('support')
  })
  afterEach(() => db.close())

  it('loads every row, and a second load inserts nothing and duplicates nothing', async () => {
    const expected = {
      customers: demoData.customers.length,
      orders: demoData.orders.length,
      tickets: demoData.tickets.length,
      refunds: demoData.refunds.length,
      documents: demoData.policies.length,
      pastCases: demoData.tickets.filter((t) => t.status === 'resolved').length,
      conversations: 1,
    }
    const first = await loadDemoData(db)
    expect(first.inserted).toEqual(expected)
    expect(await tableCounts(db)).toEqual(expected)

    const second = await loadDemoData(db)
    expect(second.inserted).toEqual(NOTHING)
    expect(await tableCounts(db)).toEqual(expected)

    const seedRuns = await db.query<{ result: unknown }>(
      `SELECT result FROM audit_log WHERE action = 'seed_run' AND target = 'support:demo-data'`,
    )
    expect(seedRuns.rows).toEqual([{ result: { inserted: expected } }])
  })

  it('holds the verification scenario: a pro customer whose refund on #4429 was issued two weeks ago', async () => {
    const now = new Date('2026-11-22T12:00:00Z')
    await loadDemoData(db, { now })
    const { rows } = await db.query<{
      tier: string
      amount_cents: number
      refund_status: string
      refund_cents: number
      issued_at: Date
    }>(
      `SELECT c.tier, o.amount_cents, r.status AS refund_status, r.amount_cents AS refund_cents,
              r.issued_at
       FROM orders o JOIN customers c ON c.id = o.customer_id JOIN refunds r ON r.order_id = o.id
       WHERE o.public_id = '4429'`,
    )
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ tier: 'pro', refund_status: 'issued' })
    expect(rows[0]?.issued_at.toISOString()).toBe('2026-11-08T12:00:00.000Z')
    expect(rows[0]?.refund_cents).toBe(rows[0]?.amount_cents)
  })

  it('includes one demo conversation whose trail replays in order', async () => {
    await loadDemoData(db)
    const timeline = await loadTimeline(db, DEMO_CONVERSATION_ID)
    expect(timeline.conversation?.userId).toBe('demo|daniel-reyes')
    expect(
      timeline.events.map((e) => (e.kind === 'message' ? e.role : `${e.action} ${e.target ?? ''}`)),
    ).toEqual([
      'user',
      'message_received ',
      'capability_invoked mcp:domain_lookup_order',
      'capability_invoked mcp:domain_find_similar_cases',
      'assistant',
      'message_sent ',
    ])
  })

  it('keeps at least 40 resolved past cases and the three policy documents', async () => {
    await loadDemoData(db)
    const resolved = await db.query(`SELECT 1 FROM tickets WHERE status = 'resolved'`)
    expect(resolved.rowCount).toBeGreaterThanOrEqual(40)
    const docs = await db.query<{ external_id: string; words: number }>(
      `SELECT external_id, array_length(regexp_split_to_array(body, '\\s+'), 1) AS words
       FROM documents WHERE source = 'policy' ORDER BY external_id`,
    )
    expect(docs.rows.map((d) => d.external_id)).toEqual([
      'escalation-policy',
      'refund-policy',
      'shipping-policy',
    ])
    for (const doc of docs.rows) expect(doc.words).toBeGreaterThan(300)
  })

  it('loads nothing at all when one row is refused', async () => {
    const broken = {
      ...demoData,
      orders: [
        ...demoData.orders,
        { ...(demoData.orders[0] as (typeof demoData.orders)[number]), publicId: '#bad' },
      ],
    }
    await expect(loadDemoData(db, { data: broken })).rejects.toThrow()
    expect(await tableCounts(db)).toEqual(NOTHING)
    expect((await db.query('SELECT 1 FROM audit_log')).rowCount).toBe(0)
  })
})
