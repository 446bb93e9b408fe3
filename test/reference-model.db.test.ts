import { afterEach, beforeEach, expect, it } from 'vitest'
import { supportPack } from '../domains/support/index.ts'
import { parseScenarioFile } from '../src/eval/scenario-file.ts'
import type { Database } from '../src/store/database.ts'
import { FOLLOW_UP, referenceModel } from './support/reference-model.ts'
import type { ScriptedOpenAiServer } from './support/scripted-openai-server.ts'
import { MAYA, QUESTION, supportDatabase } from './support/support-scenario.ts'
import { describeEachDatabase } from './support/test-databases.ts'
import { collect, ofType, testWorker } from './support/worker-fixture.ts'

const REPLY =
  'Your refund of $219.00 for order #4429 was issued two weeks ago. I have escalated ticket ' +
  'T-1099 so a team traces it.'

const [scenario] = parseScenarioFile(
  `
domain: support
scenarios:
  - id: story-4429
    title: The refund that has not arrived
    persona: Maya Okafor, a pro customer.
    goal: Know where her refund is.
    messages: [${JSON.stringify(QUESTION)}, "Thanks."]
    reference:
      actions:
        - tool: domain_lookup_order
          arguments: { order: "4429" }
        - tool: domain_escalate_ticket
          arguments: { ticket: T-1099, reason: refund issued two weeks ago has not arrived }
      reply: ${JSON.stringify(REPLY)}
`,
  'story.yaml',
)

// The reference model behind the real Worker: the calls it makes are the gateway's tools the
// Worker offers, the approval they wait for is the Worker's, and the history the Worker keeps
// between turns tells it the calls are made.
describeEachDatabase('the reference model', (target) => {
  let db: Database
  let model: ScriptedOpenAiServer
  beforeEach(async () => {
    db = await supportDatabase(await target.open('support'))
    model = await referenceModel(scenario === undefined ? [] : [scenario]).start()
  })
  afterEach(async () => {
    await model.stop()
    await db.close()
  })

  for (const api of ['chat', 'responses'] as const) {
    it(`plays a scenario's reference through the Worker, its approval, and a later turn (${api})`, async () => {
      const worker = await testWorker(db, model, { pack: supportPack, identity: MAYA, api })
      const first = await collect(worker.send({ message: QUESTION }))
      expect(ofType(first, 'tool_call').map((e) => e.name)).toEqual([
        'domain_lookup_order',
        'domain_escalate_ticket',
      ])
      const [approval] = ofType(first, 'approval_requested')
      const decided = await collect(
        worker.decide({ approvalId: approval?.approvalId as string, decision: 'approved' }),
      )
      expect(ofType(decided, 'tool_call')).toEqual([])
      expect(ofType(decided, 'message').at(-1)?.text).toBe(REPLY)
      const conversationId = first[0]?.conversationId as string
      const later = await collect(worker.send({ message: 'Thanks.', conversationId }))
      expect(ofType(later, 'tool_call')).toEqual([])
      expect(ofType(later, 'guardrail')).toEqual([])
      expect(ofType(later, 'message').at(-1)?.text).toBe(FOLLOW_UP)
    })
  }
})
