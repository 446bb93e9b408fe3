import { afterEach, beforeEach, expect, it } from 'vitest'
import { fixturePack } from '../../test/fixture-pack/index.ts'
import { buildWorkerTurn, TURN, TURN_TRACE } from '../../test/support/conversation-fixture.ts'
import { describeEachDatabase, type TestDatabase } from '../../test/support/test-databases.ts'
import { timelinePeople } from '../app/timeline-people.ts'
import { conversations } from './conversations.ts'
import { formatTimeline } from './format-timeline.ts'
import { loadTimeline } from './timeline.ts'
import type { KnownPeople } from './timeline-actors.ts'
import { tellStory } from './timeline-story.ts'

describeEachDatabase('replay as a story', (target) => {
  let db: TestDatabase
  let people: KnownPeople
  beforeEach(async () => {
    db = await target.open('fixture')
    await buildWorkerTurn(db)
    people = await timelinePeople(db, fixturePack, await loadTimeline(db, TURN))
  })
  afterEach(() => db.close())

  async function replay(options: { verbose?: boolean } = {}): Promise<string> {
    const text = formatTimeline(TURN, await loadTimeline(db, TURN), { people, ...options })
    // Times vary from run to run; everything else is fixed.
    return text.replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/g, 'D T').replace(/^\d\d:\d\d:\d\d/gm, 'T')
  }

  it('tells a turn in time order, each thing once, and names every actor one way', async () => {
    expect(await replay()).toBe(
      [
        `Conversation ${TURN} with Ada Park (customer)`,
        'started D T UTC',
        '8 entries (--verbose shows skill bodies and whole tool calls)',
        '',
        'T  Worker for Ada Park  opened a session as customer',
        '',
        'T  Ada Park (customer)  wrote',
        '          Please cancel my booking #2 today.',
        '',
        'T  Worker for Ada Park  activated skill room-rules (2.1 kB)',
        '',
        'T  Worker for Ada Park  called domain_cancel_booking {"booking":"2"} (ok, 30 ms)',
        '          ↳ booking_cancelled booking:2 (room Birch)',
        '          ← Booking #2 of the Birch room is cancelled. …',
        '',
        'T  Worker for Ada Park  replied (gpt-4o-mini, tokens in 812, out 64, $0.0002)',
        '          Your booking #2 is cancelled.',
        '',
        'T  Rosa (staff)         took the conversation over from the Worker',
        '',
        'T  Rosa (staff)         wrote',
        '          Hi Ada, Rosa here: the room is free again.',
        '',
        'T  system               handed the conversation back to the Worker',
        '',
      ].join('\n'),
    )
    // The record behind it is in the order it was written: the turn's messages last.
    const written = (await loadTimeline(db, TURN)).events.map((e) =>
      e.kind === 'message' ? (e.itemType ?? e.role) : e.action,
    )
    expect(written.indexOf('function_call')).toBeGreaterThan(written.indexOf('booking_cancelled'))
  })

  it('shows skill bodies, whole arguments and answers, and the rows behind each entry with --verbose', async () => {
    const plain = await replay()
    const verbose = await replay({ verbose: true })
    expect(plain).not.toContain('# Room rules')
    expect(plain).not.toContain('Rules: answer from tool results.')
    expect(verbose).toContain(
      [
        'T  Worker for Ada Park  activated skill room-rules (2.1 kB)',
        '          | <skill name="room-rules">',
        '          | # Room rules',
        '          |',
        '          | Cancel only what the person asks.',
        '          | </skill>',
      ].join('\n'),
    )
    expect(verbose).toContain('          | arguments: {"booking":"2"}')
    expect(verbose).toContain('          |   Rules: answer from tool results.')
    expect(verbose).toContain('          | booking_cancelled payload: {"room":"Birch"}')
    expect(verbose).toMatch(
      /\| rows: #\d+ booking_cancelled, #\d+ capability_invoked, #\d+ capability_invoked\n/,
    )
    // The turn's trace, to find its spans by: on the call (with the Worker's span) and the reply.
    expect(verbose).toContain(`          | trace ${TURN_TRACE}, span 00f067aa0ba902b7\n`)
    expect(verbose).toMatch(
      new RegExp(`\\| trace ${TURN_TRACE}\\n +\\| rows: #\\d+ message_sent\\n`),
    )
    expect(plain).not.toContain(TURN_TRACE)
  })

  it('tells a record written later but stamped earlier first, and one moment in the order written', async () => {
    // Written last: a message imported from before the turn, and two rows of one moment after it.
    await conversations.appendMessage(db, { conversationId: TURN, role: 'user', content: 'Hello?' })
    await db.query(
      `UPDATE messages SET created_at = '2020-01-01T00:00:00Z' WHERE content = 'Hello?'`,
    )
    for (const action of ['handoff_started', 'handoff_ended']) {
      await db.query(
        `INSERT INTO audit_log (conversation_id, actor, action, created_at)
         VALUES ($1, 'system', $2, '2099-01-01T00:00:00Z')`,
        [TURN, action],
      )
    }
    const story = tellStory(await loadTimeline(db, TURN), people)
    expect(story[0]).toMatchObject({
      actor: 'Ada Park (customer)',
      line: 'wrote',
      body: ['Hello?'],
    })
    expect(story.slice(-2).map((e) => e.line)).toEqual([
      'took the conversation over from the Worker',
      'handed the conversation back to the Worker',
    ])
    const times = story.map((e) => e.at.getTime())
    expect(times).toEqual([...times].sort((a, b) => a - b))
  })

  it('keeps telling a turn from its audit rows once its messages have expired', async () => {
    await db.query('DELETE FROM messages WHERE conversation_id = $1', [TURN])
    const text = await replay()
    expect(text).toContain(
      'T  Ada Park (customer)  wrote\n          (34 characters, no longer kept)',
    )
    expect(text).toContain('activated skill room-rules (2.1 kB)')
    expect(text).toContain(
      'T  Worker for Ada Park  called domain_cancel_booking {"booking":"2"} (ok, 30 ms)\n' +
        '          ↳ booking_cancelled booking:2 (room Birch)\n' +
        '          ← {"room":"Birch","status":"cancelled"}',
    )
  })

  it('names people by their subject when nothing better is known', async () => {
    const story = tellStory(await loadTimeline(db, TURN), new Map())
    expect(new Set(story.map((e) => e.actor))).toEqual(
      new Set([
        'Worker for demo|ada-park',
        'demo|ada-park (customer)',
        'demo|rosa-staff (staff)',
        'system',
      ]),
    )
  })
})
