import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { REPLIES } from '../../../src/agent/instructions.ts'
import type { Worker } from '../../../src/agent/worker.ts'
import type { WorkerEvent } from '../../../src/agent/worker-events.ts'
import type { Database } from '../../../src/store/database.ts'
import { type ModelTurn, reply, scriptedModel } from '../../../test/support/scripted-model.ts'
import type { ScriptedOpenAiServer } from '../../../test/support/scripted-openai-server.ts'
import { MAYA, supportDatabase } from '../../../test/support/support-scenario.ts'
import { pgliteTarget } from '../../../test/support/test-databases.ts'
import { collect, ofType, testWorker } from '../../../test/support/worker-fixture.ts'
import { supportPack } from '../index.ts'

// "I have escalated ticket undefined" reached a customer in a turn that called no tool. A reply
// that says the support Worker escalated, refunded or opened something must be backed by a
// successful call of that tool in the same turn (escalations and refunds wait for Maya's yes).

const message = (events: WorkerEvent[]) => ofType(events, 'message')[0]?.text

async function trips(db: Database, conversationId: string) {
  const { rows } = await db.query<{ payload: Record<string, unknown> }>(
    `SELECT payload FROM audit_log WHERE conversation_id = $1 AND action = 'guardrail_tripped'`,
    [conversationId],
  )
  return rows.map((r) => r.payload)
}

const escalate = (ticket: string): ModelTurn => ({
  toolCalls: [
    {
      name: 'domain_escalate_ticket',
      arguments: { ticket, reason: 'the refund has not arrived after two weeks' },
    },
  ],
})

const refund = (order: string, cents: number): ModelTurn => ({
  toolCalls: [
    {
      name: 'domain_issue_refund',
      arguments: {
        order,
        amount_cents: cents,
        reason: 'arrived broken',
        idempotency_key: `claims-${order}-${cents}`,
      },
    },
  ],
})

describe('the support Worker’s claims of an action taken', () => {
  let db: Database
  let model: ScriptedOpenAiServer
  let worker: Worker
  beforeEach(async () => {
    db = await supportDatabase(await pgliteTarget.open('support'))
    model = await scriptedModel().start()
    worker = await testWorker(db, model, { pack: supportPack, identity: MAYA })
  })
  afterEach(async () => {
    await model.stop()
    await db.close()
  })

  /** A call waiting for Maya's approval, decided, then the model's reply: the resumed events. */
  async function decided(
    call: ModelTurn,
    decision: 'approved' | 'rejected',
    text: string,
  ): Promise<{ conversationId: string; resumed: WorkerEvent[] }> {
    model.enqueue(reply(call), reply({ text }))
    const paused = await collect(worker.send({ message: 'about T-1099, T-1013, #4429 and #4356' }))
    const [approval] = ofType(paused, 'approval_requested')
    const resumed = await collect(
      worker.decide({ approvalId: approval?.approvalId as string, decision, identity: MAYA }),
    )
    return { conversationId: paused[0]?.conversationId as string, resumed }
  }

  it('blocks "I have escalated ticket undefined" in a turn that called no tool, and records why', async () => {
    model.enqueue(reply({ text: 'I have escalated ticket undefined to billing.' }))
    const events = await collect(worker.send({ message: 'my refund never arrived' }))
    expect(message(events)).toBe(REPLIES.grounding)
    expect(ofType(events, 'text_delta').map((e) => e.delta)).not.toContain('escalated')
    expect(await trips(db, events[0]?.conversationId as string)).toEqual([
      expect.objectContaining({
        guardrail: 'grounding',
        reason: 'unbacked_claim',
        ungrounded: ['undefined'],
        unbacked: [{ action: 'escalation', said: 'I have escalated' }],
      }),
    ])
  })

  it('lets the escalation be told once the approved call made it', async () => {
    const text = 'I have escalated ticket T-1099 to the billing team.'
    const { conversationId, resumed } = await decided(escalate('T-1099'), 'approved', text)
    expect(ofType(resumed, 'tool_result')[0]?.status).toBe('ok')
    expect(message(resumed)).toBe(text)
    expect(await trips(db, conversationId)).toEqual([])
  })

  it('blocks the claim when Maya rejected the escalation', async () => {
    const { conversationId, resumed } = await decided(
      escalate('T-1099'),
      'rejected',
      "I've escalated T-1099 to billing.",
    )
    expect(message(resumed)).toBe(REPLIES.grounding)
    expect(await trips(db, conversationId)).toMatchObject([{ reason: 'unbacked_claim' }])
  })

  it('blocks the claim when the escalation failed (a resolved ticket)', async () => {
    const { resumed } = await decided(
      escalate('T-1013'),
      'approved',
      'I have escalated T-1013 to billing.',
    )
    expect(ofType(resumed, 'tool_result')[0]?.status).toBe('error')
    expect(message(resumed)).toBe(REPLIES.grounding)
  })

  it('blocks a refund claimed when the policy blocked it or put it to a support lead', async () => {
    const blocked = await decided(refund('4429', 1000), 'approved', 'I have refunded $10.00.')
    expect(ofType(blocked.resumed, 'tool_result')[0]?.summary).toMatch(/^Refund blocked/)
    expect(message(blocked.resumed)).toBe(REPLIES.grounding)

    const pending = await decided(
      refund('4356', 45_000),
      'approved',
      'Your refund of $450.00 has now been issued.',
    )
    expect(ofType(pending.resumed, 'tool_result')[0]?.staffRequest).toBeDefined()
    expect(message(pending.resumed)).toBe(REPLIES.grounding)
  })
})
