import { afterAll, describe, expect, it } from 'vitest'
import { supportPack } from '../domains/support/index.ts'
import { createModel } from '../src/agent/model-factory.ts'
import type { Runtime } from '../src/app/runtime.ts'
import { parseConfig } from '../src/config/config.ts'
import { runEval } from '../src/eval/run-eval.ts'
import { parseScenarioFile } from '../src/eval/scenario-file.ts'
import { scriptedSimulator } from '../src/eval/scripted-simulator.ts'
import { createLogger } from '../src/lib/logger.ts'
import { packageRoot } from '../src/lib/package-root.ts'
import { referenceModel } from './support/reference-model.ts'
import { adminUrl } from './support/scratch-postgres.ts'
import { describeEachDatabase } from './support/test-databases.ts'

// Two refunds of $200 on Maya's order #4356 ($450, delivered 10 days ago): within the self-serve
// limit once, over it twice. Sharing one database, the second trial would find the first's refund.
const SCENARIOS = `
domain: support
scenarios:
  - id: refund-200
    title: A $200 refund on 4356 is issued
    persona: Maya Okafor, a Pro customer.
    goal: A $200 refund on order 4356.
    messages: ["Please refund $200 on order #4356, one item was broken."]
    fixtures:
      # A mark each trial leaves: two in one database would show.
      - sql: UPDATE customers SET name = name || '+' WHERE email = 'maya.okafor@example.com'
    expect:
      rows:
        - name: this trial's mark alone
          sql: SELECT name FROM customers WHERE email = 'maya.okafor@example.com'
          equals: [{ name: "Maya Okafor+" }]
        - name: one refund of $200 on 4356
          sql: >-
            SELECT r.amount_cents FROM refunds r JOIN orders o ON o.id = r.order_id
            WHERE o.public_id = '4356'
          equals: [{ amount_cents: 20000 }]
      audit: { required: [refund_issued] }
      facts: ["$200"]
    reference:
      actions:
        - tool: domain_issue_refund
          arguments: { order: "4356", amount_cents: 20000, reason: "one broken item", idempotency_key: "eval-4356-200" }
      reply: "I have refunded $200 on order #4356; card refunds arrive in 5-10 business days."
  - id: claims-a-refund
    title: A reply that claims a refund no call made fails
    persona: Maya Okafor, a Pro customer.
    goal: A refund on order 4356.
    messages: ["Please refund order #4356."]
    expect:
      calls: { required: [domain_lookup_order], forbidden: [domain_issue_refund] }
    reference:
      actions:
        - tool: domain_lookup_order
          arguments: { order: "4356" }
      reply: "I have refunded order #4356 in full."
  - id: grader-guards
    title: The grader's own guards
    persona: Maya Okafor, a Pro customer.
    goal: The status of order 4356.
    messages: ["What is the status of order #4356?"]
    fixtures:
      # An audit row of the fixtures' own, numbered far ahead: not the trial's.
      - sql: >-
          INSERT INTO audit_log (id, actor, action, payload)
          VALUES (1000000, 'fixture', 'refund_issued', '{}'::jsonb)
    expect:
      rows:
        - name: an assertion that tries to write
          sql: DELETE FROM refunds RETURNING id
          count: 0
      audit: { forbidden: [refund_issued] }
      calls: { forbidden: [domain_lookup_order] }
    reference:
      actions:
        - tool: domain_lookup_order
          arguments: { order: "4356" }
      reply: "Order #4356 was delivered."
  - id: refund-the-customer-refuses
    title: A reference that makes a call its customer would refuse fails
    persona: Maya Okafor, a Pro customer, who will not consent to anything.
    goal: Ask about a refund, then decline it.
    messages: ["Could order #4356 be refunded $10?"]
    approvals: reject
    reference:
      actions:
        - tool: domain_issue_refund
          arguments: { order: "4356", amount_cents: 1000, reason: "asked and declined", idempotency_key: "eval-4356-10" }
      reply: "Nothing has been refunded on order #4356."
  - id: names-an-amount-nobody-said
    title: A reference reply the Worker would hold back fails
    persona: Maya Okafor, a Pro customer.
    goal: The total of order 4356.
    messages: ["What did order #4356 cost?"]
    reference:
      actions:
        - tool: domain_lookup_order
          arguments: { order: "4356" }
      reply: "Order #4356 cost $450.00, and $99.00 of it is refundable."
`

function runtimeOn(url: string | undefined): Runtime {
  const env = { FTE_DOMAIN: 'support', ...(url === undefined ? {} : { DATABASE_URL: url }) }
  const config = parseConfig(env, { cwd: packageRoot(), domains: ['support'] })
  return {
    config,
    logger: createLogger({ level: 'silent' }),
    pack: supportPack,
    host: { cwd: packageRoot(), env },
  }
}

describeEachDatabase('fte eval trials', (target) => {
  const runtime = runtimeOn(target.name === 'postgres' ? adminUrl : undefined)
  const scenarios = parseScenarioFile(SCENARIOS, 'trials.yaml')
  let prepared: string | undefined
  const run = runEval(runtime, {
    scenarios,
    trials: 2,
    concurrency: 2,
    mode: { kind: 'reference' },
    signal: new AbortController().signal,
    onPrepared: (databases) => {
      prepared = databases.name
    },
  })
  afterAll(() => run.catch(() => {}))

  it('gives two concurrent trials that refund the same order each its own copy: both pass', async () => {
    const { trials } = await run
    const refunds = trials.filter((t) => t.scenario === 'refund-200')
    expect(refunds.map((t) => [t.trial, t.passed, t.failures])).toEqual(
      expect.arrayContaining([
        [1, true, []],
        [2, true, []],
      ]),
    )
  })

  it('fails a trial whose reply claims an action the database does not show', async () => {
    const { trials } = await run
    const claimed = trials.filter((t) => t.scenario === 'claims-a-refund')
    expect(claimed).toHaveLength(2)
    for (const trial of claimed) {
      expect(trial.passed).toBe(false)
      expect(trial.failures).toEqual([expect.stringMatching(/^claims: .*I have refunded/)])
    }
  })

  it("keeps a fixture's audit rows out of the trial's, lets no assertion write, and checks the calls made", async () => {
    const { trials } = await run
    const guarded = trials.filter((t) => t.scenario === 'grader-guards')
    for (const trial of guarded) {
      expect(trial.failures).toEqual([
        expect.stringMatching(
          /^rows: an assertion that tries to write: the query failed \(.*read-only/,
        ),
        'calls: domain_lookup_order was called, and must not be',
      ])
    }
    expect(guarded).toHaveLength(2)
  })

  it('fails a reference that makes a call waiting for a consent its customer refuses', async () => {
    const { trials } = await run
    const refused = trials.filter((t) => t.scenario === 'refund-the-customer-refuses')
    expect(refused.map((t) => t.failures)).toEqual([
      [
        expect.stringMatching(
          /^reference action 1: domain_issue_refund waits for the customer's consent/,
        ),
      ],
      [
        expect.stringMatching(
          /^reference action 1: domain_issue_refund waits for the customer's consent/,
        ),
      ],
    ])
  })

  it('fails a reference reply that names an amount neither the customer nor a call said', async () => {
    const { trials } = await run
    const named = trials.filter((t) => t.scenario === 'names-an-amount-nobody-said')
    expect(named.map((t) => t.failures)).toEqual([
      [expect.stringMatching(/^grounding: the reply names \$99\.00,/)],
      [expect.stringMatching(/^grounding: the reply names \$99\.00,/)],
    ])
  })

  describe.skipIf(target.name !== 'postgres')('on Postgres', () => {
    it('leaves neither the prepared database nor a copy behind', async () => {
      await run
      expect(prepared).toMatch(/^fte_eval_[0-9a-f]{10}$/)
      const { default: pg } = await import('pg')
      const client = new pg.Client({ connectionString: adminUrl })
      await client.connect()
      try {
        const { rows } = await client.query(
          'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
          [prepared],
        )
        expect(rows).toEqual([])
      } finally {
        await client.end()
      }
    })
  })
})

// A refund asked on an order the customer cannot see: the Worker asks for consent, but no summary
// of the call can be made, so the product offers "reject" only, and so does the trial.
const UNSEEN = `
domain: support
scenarios:
  - id: refund-on-an-unseen-order
    title: A refund on someone else's order is never put to the customer
    persona: Maya Okafor, a Pro customer, who mistypes an order number.
    goal: A refund on order 4102.
    messages: ["Please refund $20 on order 4102."]
    expect:
      rows:
        - name: nothing refunded on 4102 since the demo data
          sql: >-
            SELECT count(*)::int AS n FROM refunds r JOIN orders o ON o.id = r.order_id
            WHERE o.public_id = '4102' AND r.requested_by = 'demo|maya-okafor'
          equals: [{ n: 0 }]
      audit: { forbidden: [refund_issued] }
    reference:
      actions:
        - tool: domain_issue_refund
          arguments: { order: "4102", amount_cents: 2000, reason: "a mistyped order", idempotency_key: "eval-4102-1" }
          refused: true
      reply: "I could not find that order on your account."
`

describeEachDatabase('fte eval model trials', (target) => {
  const runtime = runtimeOn(target.name === 'postgres' ? adminUrl : undefined)
  const scenarios = parseScenarioFile(UNSEEN, 'unseen.yaml')

  it('refuses a request for consent that has no summary, as the product does, and the trial goes on', async () => {
    const model = await referenceModel(scenarios).start()
    try {
      const llm = parseConfig(
        { LLM_PROVIDER: 'compatible', LLM_BASE_URL: model.url, LLM_MODEL: 'gpt-4o-mini' },
        { cwd: packageRoot() },
      ).llm
      const { trials } = await runEval(runtime, {
        scenarios,
        trials: 1,
        concurrency: 1,
        mode: {
          kind: 'model',
          model: createModel(llm),
          simulatorName: 'scripted',
          simulator: (scenario) => scriptedSimulator(scenario),
        },
        signal: new AbortController().signal,
      })
      expect(trials[0]?.failures).toEqual([])
      expect(trials[0]?.transcript).toContainEqual({
        role: 'approval',
        text: expect.stringMatching(/^rejected \(nothing to approve: no summary\)/),
      })
    } finally {
      await model.stop()
    }
  })
})
