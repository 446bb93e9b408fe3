import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { loadFixtureDemoData } from '../../test/fixture-pack/demo-data.ts'
import { fixturePack } from '../../test/fixture-pack/index.ts'
import { ADA } from '../../test/fixture-pack/people.ts'
import { reply, scriptedModel } from '../../test/support/scripted-model.ts'
import type { ScriptedOpenAiServer } from '../../test/support/scripted-openai-server.ts'
import {
  type PreparedDatabase,
  pgliteTarget,
  type TestDatabase,
} from '../../test/support/test-databases.ts'
import { collect, ofType, testWorker } from '../../test/support/worker-fixture.ts'
import type { Database } from '../store/database.ts'
import { REPLIES } from './instructions.ts'
import type { Worker } from './worker.ts'
import type { WorkerEvent } from './worker-events.ts'

// A reply may say the Worker did something only when a successful call of the same turn did it:
// the fixture pack claims bookings and cancellations (domain_cancel_booking waits for approval,
// and a booking that has begun is put to staff instead).

const message = (events: WorkerEvent[]) => ofType(events, 'message')[0]?.text

async function trips(db: Database, conversationId: string) {
  const { rows } = await db.query<{ payload: Record<string, unknown> }>(
    `SELECT payload FROM audit_log WHERE conversation_id = $1 AND action = 'guardrail_tripped'`,
    [conversationId],
  )
  return rows.map((r) => r.payload)
}

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)

const cancel = (booking: number) =>
  reply({
    toolCalls: [{ name: 'domain_cancel_booking', arguments: { booking, reason: 'plans changed' } }],
  })

describe('the Worker’s claims of an action taken', () => {
  let demo: PreparedDatabase
  beforeAll(async () => {
    demo = await pgliteTarget.prepare('fixture', async (db) => {
      await loadFixtureDemoData(db)
    })
  })
  afterAll(() => demo.close())

  let db: TestDatabase
  let model: ScriptedOpenAiServer
  let worker: Worker
  beforeEach(async () => {
    db = await demo.open()
    model = await scriptedModel().start()
    worker = await testWorker(db, model, { pack: fixturePack, identity: ADA })
  })
  afterEach(async () => {
    await model.stop()
    await db.close()
  })

  /** A turn asking to cancel, paused on the approval, then decided: the events of both. */
  async function decided(decision: 'approved' | 'rejected', script: Parameters<typeof reply>[0]) {
    model.enqueue(cancel(2), reply(script))
    const paused = await collect(worker.send({ message: 'cancel my booking #2' }))
    const [approval] = ofType(paused, 'approval_requested')
    const resumed = await collect(
      worker.decide({ approvalId: approval?.approvalId as string, decision, identity: ADA }),
    )
    return { conversationId: paused[0]?.conversationId as string, resumed }
  }

  it('blocks a reply saying it cancelled in a turn that called no tool, and records why', async () => {
    model.enqueue(reply({ text: 'Done: I have cancelled your booking #2 for you.' }))
    const events = await collect(worker.send({ message: 'cancel my booking #2' }))
    const conversationId = events[0]?.conversationId as string
    expect(message(events)).toBe(REPLIES.grounding)
    expect(ofType(events, 'guardrail')[0]).toMatchObject({
      guardrail: 'grounding',
      action: 'blocked',
      detail: expect.stringContaining('"I have cancelled" (cancellation)'),
    })
    const streamed = ofType(events, 'text_delta')
      .map((e) => e.delta)
      .join('')
    expect(streamed).not.toContain('cancelled')
    expect(await trips(db, conversationId)).toEqual([
      expect.objectContaining({
        guardrail: 'grounding',
        reason: 'unbacked_claim',
        ungrounded: [],
        unbacked: [{ action: 'cancellation', said: 'I have cancelled' }],
      }),
    ])
    expect(ofType(events, 'turn_ended')[0]?.status).toBe('completed')
  })

  it('lets the claim through once the approved call has done it', async () => {
    const { conversationId, resumed } = await decided('approved', {
      text: 'I have cancelled your booking #2.',
    })
    expect(message(resumed)).toBe('I have cancelled your booking #2.')
    expect(await trips(db, conversationId)).toEqual([])
  })

  it('blocks the claim when the person rejected the call', async () => {
    const { conversationId, resumed } = await decided('rejected', {
      text: "I've cancelled your booking #2.",
    })
    expect(message(resumed)).toBe(REPLIES.grounding)
    expect(await trips(db, conversationId)).toMatchObject([{ reason: 'unbacked_claim' }])
  })

  it('blocks the claim when the call failed', async () => {
    model.enqueue(
      reply({
        toolCalls: [{ name: 'domain_book_room', arguments: { room: 'Nowhere', day: inDays(5) } }],
      }),
      reply({ text: 'I booked Nowhere for you.' }),
    )
    const events = await collect(worker.send({ message: 'book Nowhere' }))
    expect(ofType(events, 'tool_result')[0]?.status).toBe('error')
    expect(message(events)).toBe(REPLIES.grounding)
    expect(await trips(db, events[0]?.conversationId as string)).toMatchObject([
      { reason: 'unbacked_claim', unbacked: [{ action: 'booking', said: 'I booked' }] },
    ])
  })

  it('blocks a claim of what is only pending a staff decision, and lets "pending" through', async () => {
    const today = new Date().toISOString().slice(0, 10)
    await db.query(
      `INSERT INTO bookings (user_id, number, room, day) VALUES ($1, 9, 'Aurora', $2)`,
      [ADA.sub, today],
    )
    const pending = 'Cancelling booking #9 is pending review by staff.'
    for (const [text, expected] of [
      ["I've cancelled booking #9.", REPLIES.grounding],
      [pending, pending],
    ] as const) {
      model.enqueue(cancel(9), reply({ text }))
      const paused = await collect(worker.send({ message: 'cancel my booking #9' }))
      const [approval] = ofType(paused, 'approval_requested')
      const resumed = await collect(
        worker.decide({ approvalId: approval?.approvalId as string, decision: 'approved' }),
      )
      expect(ofType(resumed, 'tool_result')[0]?.staffRequest).toBeDefined()
      expect(message(resumed)).toBe(expected)
    }
  })

  it('keeps what the turn did before it paused for approval', async () => {
    model.enqueue(
      reply({
        toolCalls: [{ name: 'domain_book_room', arguments: { room: 'Cedar', day: inDays(5) } }],
      }),
      cancel(2),
      reply({ text: 'I booked Cedar and cancelled your booking #2.' }),
    )
    const paused = await collect(worker.send({ message: 'move booking #2 to Cedar' }))
    const [approval] = ofType(paused, 'approval_requested')
    const resumed = await collect(
      worker.decide({ approvalId: approval?.approvalId as string, decision: 'approved' }),
    )
    expect(message(resumed)).toBe('I booked Cedar and cancelled your booking #2.')
  })
})
