import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Database } from '../../../src/store/database.ts'
import { scriptedModel } from '../../../test/support/scripted-model.ts'
import type { ScriptedOpenAiServer } from '../../../test/support/scripted-openai-server.ts'
import {
  MAYA,
  QUESTION,
  scriptScenario,
  supportDatabase,
} from '../../../test/support/support-scenario.ts'
import { pgliteTarget } from '../../../test/support/test-databases.ts'
import {
  collect,
  expectTurnRecorded,
  ofType,
  testWorker,
  trail,
} from '../../../test/support/worker-fixture.ts'
import { supportPack } from '../index.ts'

// The support pack's #4429 story played by the Worker end to end: its policy refuses a second
// refund, its escalation waits for a person, its trail records both.
describe('the Worker on the support pack', () => {
  let db: Database
  let model: ScriptedOpenAiServer
  beforeEach(async () => {
    db = await supportDatabase(await pgliteTarget.open('support'))
    model = await scriptedModel().start()
  })
  afterEach(async () => {
    await model.stop()
    await db.close()
  })

  for (const api of ['chat', 'responses'] as const) {
    it(`runs the #4429 scenario over ${api === 'chat' ? 'Chat Completions' : 'the Responses API'}: two approvals, the policy's refusal, an escalation, an ordered trail`, async () => {
      scriptScenario(model)
      let worker = await testWorker(db, model, { pack: supportPack, identity: MAYA, api })
      const first = await collect(worker.send({ message: QUESTION }))
      const conversationId = first[0]?.conversationId as string
      expect(ofType(first, 'skill_activated').map((e) => e.name)).toEqual(['find-similar-cases'])
      expect(ofType(first, 'tool_call').map((e) => e.name)).toEqual([
        'domain_lookup_order',
        'domain_find_similar_cases',
        'domain_issue_refund',
      ])
      const [refund] = ofType(first, 'approval_requested')
      expect(refund).toMatchObject({ tool: 'domain_issue_refund', arguments: { order: '4429' } })
      expect(first.at(-1)).toMatchObject({ type: 'turn_ended', status: 'paused' })

      // A restart: a new Worker on the same database takes the decision and resumes the run.
      await worker.close()
      worker = await testWorker(db, model, { pack: supportPack, identity: MAYA, api })
      const second = await collect(
        worker.decide({ approvalId: refund?.approvalId as string, decision: 'approved' }),
      )
      const [escalation] = ofType(second, 'approval_requested')
      expect(escalation).toMatchObject({ tool: 'domain_escalate_ticket' })
      const third = await collect(
        worker.decide({ approvalId: escalation?.approvalId as string, decision: 'approved' }),
      )
      const [message] = ofType(third, 'message')
      expect(message?.text).toMatch(/^Your refund of \$\d+\.\d\d for order #4429 was issued/)
      expect(
        ofType(third, 'text_delta')
          .map((e) => e.delta)
          .join(''),
      ).toBe(message?.text)
      expect(third.at(-1)).toMatchObject({ type: 'turn_ended', status: 'completed' })

      const actions = (await trail(db, conversationId)).map((r) =>
        r.action === 'capability_invoked' || r.action === 'skill_activated'
          ? `${r.action} ${r.target}`
          : r.action,
      )
      const expected = [
        'message_received',
        'skill_activated skill:find-similar-cases',
        'capability_invoked mcp:domain_lookup_order',
        'capability_invoked mcp:domain_find_similar_cases',
        'approval_requested',
        'approval_decided',
        'refund_blocked',
        'approval_requested',
        'approval_decided',
        'ticket_escalated',
        'message_sent',
      ]
      let at = 0
      for (const action of actions) if (action === expected[at]) at++
      expect(at, `trail: ${actions.join(', ')}`).toBe(expected.length)
      expect(actions.filter((a) => a === 'refund_issued')).toEqual([])

      const { rows: refunds } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM refunds r JOIN orders o ON o.id = r.order_id WHERE o.public_id = '4429'`,
      )
      expect(refunds[0]?.n).toBe(1)
      await expectTurnRecorded(db, conversationId)
      await worker.close()
    })
  }
})
