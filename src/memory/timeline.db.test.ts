import { afterEach, beforeEach, expect, it } from 'vitest'
import { buildConversation, CONVERSATION } from '../../test/support/conversation-fixture.ts'
import { describeEachDatabase, type TestDatabase } from '../../test/support/test-databases.ts'
import { writeAudit } from '../audit/audit-writer.ts'
import { formatTimeline } from './format-timeline.ts'
import { loadTimeline } from './timeline.ts'

describeEachDatabase('replay', (target) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('migrated')
  })
  afterEach(() => db.close())

  it('orders messages, audit rows and invocations of one conversation in time', async () => {
    await buildConversation(db)
    const timeline = await loadTimeline(db, CONVERSATION)
    expect(timeline.conversation).toMatchObject({ id: CONVERSATION, userId: 'demo|maya-okafor' })
    const events = timeline.events
    expect(
      events.map((e) => (e.kind === 'message' ? `message:${e.role}` : `audit:${e.action}`)),
    ).toEqual([
      'message:user',
      'audit:message_received',
      'audit:ticket_escalated',
      'audit:capability_invoked',
      'message:assistant',
    ])
    const invoked = events.find((e) => e.kind === 'audit' && e.action === 'capability_invoked')
    expect(invoked?.kind === 'audit' && invoked.invocation).toMatchObject({
      capability: 'mcp:lookup_order',
      status: 'ok',
      latencyMs: 42,
      arguments: { order_id: '4429' },
      result: { status: 'refunded', refund: 'issued 14 days ago' },
    })
  })

  it('prints a readable timeline', async () => {
    await buildConversation(db)
    const text = formatTimeline(CONVERSATION, await loadTimeline(db, CONVERSATION))
    // Timestamps vary from run to run; everything else is fixed.
    const shown = text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, 'T')
    expect(shown).toBe(
      [
        `Conversation ${CONVERSATION} · user demo|maya-okafor · started T`,
        '5 events',
        '',
        'T  message  user',
        "    I haven't received my refund from order #4429, it's been two weeks.",
        'T  audit    message_received  by worker:support',
        'T  audit    ticket_escalated  ticket:T-1099  by worker:support',
        '    payload: {"reason":"pro tier, refund overdue"}',
        'T  audit    capability_invoked  mcp:lookup_order  ok  42 ms  by worker:support',
        '    arguments: {"order_id":"4429"}',
        // jsonb keeps keys ordered by length, then bytes
        '    result: {"refund":"issued 14 days ago","status":"refunded"}',
        'T  message  assistant  (tokens in 812, out 64)',
        '    Your refund was issued on 8 November. I have escalated it.',
        '',
      ].join('\n'),
    )
  })

  it('keeps write order even when clocks disagree', async () => {
    await db.query(`INSERT INTO conversations (id, user_id) VALUES ($1, 'u')`, [CONVERSATION])
    await writeAudit(db, { action: 'message_received', actor: 'a', conversationId: CONVERSATION })
    // A message written later but stamped earlier (a skewed or coarse clock) still comes second.
    await db.query(
      `INSERT INTO messages (conversation_id, role, content, created_at)
       VALUES ($1, 'user', 'later', '2000-01-01T00:00:00Z')`,
      [CONVERSATION],
    )
    const events = (await loadTimeline(db, CONVERSATION)).events
    expect(events.map((e) => e.kind)).toEqual(['audit', 'message'])
  })

  it('returns an empty timeline for an unknown conversation', async () => {
    expect(await loadTimeline(db, '00000000-0000-4000-8000-000000000000')).toEqual({
      conversation: null,
      events: [],
    })
  })
})
