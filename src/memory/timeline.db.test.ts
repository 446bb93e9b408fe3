import { afterEach, beforeEach, expect, it } from 'vitest'
import { fixturePack } from '../../test/fixture-pack/index.ts'
import { buildConversation, CONVERSATION } from '../../test/support/conversation-fixture.ts'
import { describeEachDatabase, type TestDatabase } from '../../test/support/test-databases.ts'
import { timelinePeople } from '../app/timeline-people.ts'
import { writeAudit } from '../audit/audit-writer.ts'
import { formatTimeline } from './format-timeline.ts'
import { loadTimeline } from './timeline.ts'

describeEachDatabase('replay', (target) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('fixture')
  })
  afterEach(() => db.close())

  it('loads messages, audit rows and invocations of one conversation in the order written', async () => {
    await buildConversation(db)
    const timeline = await loadTimeline(db, CONVERSATION)
    expect(timeline.conversation).toMatchObject({ id: CONVERSATION, userId: 'demo|ada-park' })
    const events = timeline.events
    expect(
      events.map((e) => (e.kind === 'message' ? `message:${e.role}` : `audit:${e.action}`)),
    ).toEqual([
      'message:user',
      'audit:message_received',
      'audit:booking_cancelled',
      'audit:capability_invoked',
      'message:assistant',
    ])
    const invoked = events.find((e) => e.kind === 'audit' && e.action === 'capability_invoked')
    expect(invoked?.kind === 'audit' && invoked.invocation).toMatchObject({
      capability: 'mcp:domain_cancel_booking',
      status: 'ok',
      latencyMs: 42,
      arguments: { booking: '2' },
      result: { status: 'cancelled', room: 'Birch' },
    })
  })

  it('prints a readable timeline: who did what, a call with what it did and answered', async () => {
    await buildConversation(db)
    const timeline = await loadTimeline(db, CONVERSATION)
    const people = await timelinePeople(db, fixturePack, timeline)
    const text = formatTimeline(CONVERSATION, timeline, { people })
    // Times vary from run to run; everything else is fixed.
    const shown = text
      .replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/g, 'D T')
      .replace(/^\d\d:\d\d:\d\d/gm, 'T')
    expect(shown).toBe(
      [
        `Conversation ${CONVERSATION} with Ada Park (customer)`,
        'started D T UTC',
        '3 entries (--verbose shows skill bodies and whole tool calls)',
        '',
        'T  Ada Park (customer)  wrote',
        '          Please cancel my booking #2 of the Birch room, the meeting moved online.',
        '',
        'T  Worker for Ada Park  called domain_cancel_booking {"booking":"2"} (ok, 42 ms)',
        '          ↳ booking_cancelled booking:2 (room Birch)',
        // jsonb keeps keys ordered by length, then bytes
        '          ← {"room":"Birch","status":"cancelled"}',
        '',
        'T  Worker for Ada Park  replied (tokens in 812, out 64)',
        '          Your booking #2 of the Birch room is cancelled; the room is free for others.',
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
