import { afterEach, beforeEach, expect, it } from 'vitest'
import type { WorkerEvent } from '../../../src/agent/worker-events.ts'
import type { Database } from '../../../src/store/database.ts'
import { fixturePack } from '../../../test/fixture-pack/index.ts'
import { ADA } from '../../../test/fixture-pack/people.ts'
import {
  NO_SCRIPT,
  OTHER_PACK,
  scriptedDemoModel,
} from '../../../test/support/scripted-demo-model.ts'
import type { ScriptedOpenAiServer } from '../../../test/support/scripted-openai-server.ts'
import { DANIEL, MAYA, QUESTION, supportDatabase } from '../../../test/support/support-scenario.ts'
import { describeEachDatabase } from '../../../test/support/test-databases.ts'
import { collect, ofType, testWorker } from '../../../test/support/worker-fixture.ts'
import { supportPack } from '../index.ts'

// The model of the no-provider demo (`npm run scripted-model`) behind the real Worker: each
// conversation plays the #4429 scenario on its own, and what it has no script or no value for it
// says plainly.
describeEachDatabase('the scripted demo model', (target) => {
  let db: Database
  let model: ScriptedOpenAiServer
  beforeEach(async () => {
    db = await supportDatabase(await target.open('support'))
    model = await scriptedDemoModel().start()
  })
  afterEach(async () => {
    await model.stop()
    await db.close()
  })

  const approvalIn = (events: WorkerEvent[]) => {
    const [approval] = ofType(events, 'approval_requested')
    expect(approval).toBeDefined()
    return approval as NonNullable<typeof approval>
  }
  const replyIn = (events: WorkerEvent[]) => ofType(events, 'message').at(-1)?.text

  for (const api of ['chat', 'responses'] as const) {
    it(`plays two interleaved conversations each in step, one of them left at an approval meanwhile (${api})`, async () => {
      const worker = await testWorker(db, model, { pack: supportPack, identity: MAYA, api })
      const first = await collect(worker.send({ message: QUESTION }))
      const firstRefund = approvalIn(first)
      expect(firstRefund).toMatchObject({
        tool: 'domain_issue_refund',
        arguments: { order: '4429', amount_cents: 21900 },
      })

      // The first conversation waits at its refund; a second one starts from the beginning.
      const second = await collect(worker.send({ message: QUESTION }))
      expect(second[0]?.conversationId).not.toBe(first[0]?.conversationId)
      expect(ofType(second, 'skill_activated').map((e) => e.name)).toEqual(['find-similar-cases'])
      expect(ofType(second, 'tool_call').map((e) => e.name)).toEqual([
        'domain_lookup_order',
        'domain_find_similar_cases',
        'domain_issue_refund',
      ])
      const secondRefund = approvalIn(second)

      // Decided crosswise: each conversation goes on from its own step.
      const secondEscalation = approvalIn(
        await collect(worker.decide({ approvalId: secondRefund.approvalId, decision: 'approved' })),
      )
      const firstEscalation = approvalIn(
        await collect(worker.decide({ approvalId: firstRefund.approvalId, decision: 'rejected' })),
      )
      for (const escalation of [firstEscalation, secondEscalation]) {
        expect(escalation).toMatchObject({
          tool: 'domain_escalate_ticket',
          arguments: { ticket: expect.stringMatching(/^T-\d+$/) },
        })
      }
      const firstEnd = await collect(
        worker.decide({ approvalId: firstEscalation.approvalId, decision: 'rejected' }),
      )
      const secondEnd = await collect(
        worker.decide({ approvalId: secondEscalation.approvalId, decision: 'approved' }),
      )
      expect(replyIn(firstEnd)).toMatch(
        /^Your refund of \$219\.00 for order #4429 was already issued\. The escalation of ticket T-\d+ was declined/,
      )
      expect(replyIn(secondEnd)).toMatch(
        /^Your refund of \$219\.00 for order #4429 was issued, so it cannot be paid twice\. I have escalated ticket T-\d+ to billing/,
      )
      for (const end of [firstEnd, secondEnd]) {
        expect(end.at(-1)).toMatchObject({ type: 'turn_ended', status: 'completed' })
      }
      await worker.close()
    })
  }

  it('answers a message it has no script for with what to try, and the Worker sends it as written', async () => {
    const worker = await testWorker(db, model, { pack: supportPack, identity: MAYA })
    const hello = await collect(worker.send({ message: 'Hello! Can you change my email address?' }))
    expect(replyIn(hello)).toBe(NO_SCRIPT)
    expect(NO_SCRIPT).toMatch(/^I am the scripted demo model; try /)
    expect(ofType(hello, 'tool_call')).toEqual([])
    expect(ofType(hello, 'guardrail')).toEqual([])

    // After a scenario's turn, a follow-up in the same conversation is not taken for its next step.
    const asked = await collect(worker.send({ message: QUESTION }))
    const conversationId = asked[0]?.conversationId as string
    const escalation = approvalIn(
      await collect(
        worker.decide({ approvalId: approvalIn(asked).approvalId, decision: 'approved' }),
      ),
    )
    await collect(worker.decide({ approvalId: escalation.approvalId, decision: 'approved' }))
    const thanks = await collect(worker.send({ message: 'Thank you!', conversationId }))
    expect(replyIn(thanks)).toBe(NO_SCRIPT)
    await worker.close()
  })

  it('stops with a plain answer, never a value it does not have, when a tool does not give what the next step needs', async () => {
    // Daniel cannot see Maya's order: the lookup finds nothing, so there is no amount to refund.
    const worker = await testWorker(db, model, { pack: supportPack, identity: DANIEL })
    const events = await collect(worker.send({ message: QUESTION }))
    expect(ofType(events, 'tool_call').map((e) => e.name)).toEqual([
      'domain_lookup_order',
      'domain_find_similar_cases',
    ])
    const text = replyIn(events)
    expect(text).toMatch(/^I am the scripted demo model, and I stop here: .*the order's amount/)
    expect(text).not.toMatch(/undefined|\$0\.00|\d/)
    expect(ofType(events, 'approval_requested')).toEqual([])
    await worker.close()
  })

  it("says it plays the support pack's scenario only on a server of another pack", async () => {
    const other = await target.open('fixture')
    const worker = await testWorker(other, model, { pack: fixturePack, identity: ADA })
    try {
      const events = await collect(worker.send({ message: QUESTION }))
      expect(ofType(events, 'tool_call')).toEqual([])
      expect(replyIn(events)).toBe(OTHER_PACK)
    } finally {
      await worker.close()
      await other.close()
    }
  })
})
