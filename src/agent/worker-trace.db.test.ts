import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest'
import { fixturePack } from '../../test/fixture-pack/index.ts'
import { ADA } from '../../test/fixture-pack/people.ts'
import { reply, scriptedModel } from '../../test/support/scripted-model.ts'
import type { ScriptedOpenAiServer } from '../../test/support/scripted-openai-server.ts'
import {
  describeEachDatabase,
  type PreparedDatabase,
  type TestDatabase,
} from '../../test/support/test-databases.ts'
import { collect, ofType, testWorker } from '../../test/support/worker-fixture.ts'
import { timelinePeople } from '../app/timeline-people.ts'
import { formatTimeline } from '../memory/format-timeline.ts'
import { loadTimeline } from '../memory/timeline.ts'

describeEachDatabase("one turn's trace across the wire", (target) => {
  let demo: PreparedDatabase
  let model: ScriptedOpenAiServer
  beforeAll(async () => {
    demo = await target.prepare('fixture', async (db) => {
      await fixturePack.loadDemoData?.(db)
    })
    model = await scriptedModel().start()
  })
  afterAll(async () => {
    await model.stop()
    await demo.close()
  })

  let db: TestDatabase
  beforeEach(async () => {
    db = await demo.open()
  })
  afterEach(() => db.close())

  it("shares one trace id between the turn's spans and its calls on both sides of the wire, and the replay shows it", async () => {
    model.enqueue(
      reply({ toolCalls: [{ name: 'domain_get_booking', arguments: { booking: 1 } }] }),
      reply({
        toolCalls: [{ name: 'domain_book_room', arguments: { room: 'Cedar', day: '2031-05-06' } }],
      }),
      // Waits for Ada's approval: the Worker asks the gateway for its summary (a preview).
      reply({
        toolCalls: [
          { name: 'domain_cancel_booking', arguments: { booking: 1, reason: 'moved to Cedar' } },
        ],
      }),
    )
    const worker = await testWorker(db, model, { pack: fixturePack, identity: ADA, skills: false })
    const events = await collect(worker.send({ message: 'Please move my booking #1 to Cedar.' }))
    await worker.close()
    const [ended] = ofType(events, 'turn_ended')
    expect(ended).toMatchObject({ status: 'paused' })
    const conversationId = ended?.conversationId as string
    const sdkTrace = ended?.traceId as string
    expect(sdkTrace).toMatch(/^trace_[0-9a-f]{32}$/)
    const trace = sdkTrace.slice('trace_'.length)

    const { rows: spans } = await db.query<{ trace_id: string }>(
      'SELECT DISTINCT trace_id FROM agent_spans WHERE conversation_id = $1',
      [conversationId],
    )
    expect(spans).toEqual([{ trace_id: sdkTrace }])

    // Each call of the turn, as the Worker and as the gateway recorded it, found from the span
    // of the turn it was made in.
    const { rows: calls } = await db.query<{ side: string; capability: string; span: string }>(
      `SELECT split_part(ci.actor, ':', 1) AS side, ci.capability, s.kind || ' ' || s.name AS span
       FROM capability_invocations ci
       JOIN agent_spans s
         ON s.trace_id = 'trace_' || ci.trace_id AND left(s.span_id, 21) = 'span_' || ci.parent_span_id
       WHERE ci.conversation_id = $1
       ORDER BY ci.capability, side`,
      [conversationId],
    )
    expect(calls).toEqual([
      { side: 'gateway', capability: 'mcp:domain_book_room', span: 'function domain_book_room' },
      { side: 'worker', capability: 'mcp:domain_book_room', span: 'function domain_book_room' },
      {
        side: 'gateway',
        capability: 'mcp:domain_get_booking',
        span: 'function domain_get_booking',
      },
      { side: 'worker', capability: 'mcp:domain_get_booking', span: 'function domain_get_booking' },
    ])
    const { rows: invocations } = await db.query<{
      capability: string
      trace_id: string | null
      traced_arguments: number
    }>(
      `SELECT capability, trace_id, (arguments ?| array['_trace', 'traceparent'])::int AS traced_arguments
       FROM capability_invocations WHERE conversation_id = $1 ORDER BY created_at`,
      [conversationId],
    )
    // Every call ran in the trace, the preview of the call waiting for approval too. No argument
    // carries a trace any more.
    expect(invocations.map((i) => [i.capability, i.trace_id === trace])).toEqual([
      ['mcp:domain_get_booking', true],
      ['mcp:domain_get_booking', true],
      ['mcp:domain_book_room', true],
      ['mcp:domain_book_room', true],
      ['mcp:domain_cancel_booking:preview', true],
    ])
    expect(invocations.every((i) => i.traced_arguments === 0)).toBe(true)

    const { rows: audit } = await db.query<{ action: string; trace_id: string | null }>(
      `SELECT action, trace_id FROM audit_log
       WHERE conversation_id = $1 AND action IN ('room_booked', 'approval_requested')
       ORDER BY id`,
      [conversationId],
    )
    expect(audit).toEqual([
      { action: 'room_booked', trace_id: trace },
      { action: 'approval_requested', trace_id: trace },
    ])

    // The replay tells each call once (the Worker's row paired with the gateway's by trace and
    // span), and shows the trace.
    const timeline = await loadTimeline(db, conversationId)
    const people = await timelinePeople(db, fixturePack, timeline)
    const text = formatTimeline(conversationId, timeline, { people, verbose: true })
    expect(text.match(/called domain_book_room/g)).toHaveLength(1)
    expect(text.match(/called domain_get_booking/g)).toHaveLength(1)
    expect(text).toMatch(new RegExp(`trace ${trace}, span [0-9a-f]{16}\\n`))
    expect(
      timeline.events.filter((e) => e.kind === 'audit' && e.traceId === trace).length,
    ).toBeGreaterThanOrEqual(7)
  })
})
