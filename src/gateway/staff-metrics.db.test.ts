import { afterEach, beforeEach, expect, it } from 'vitest'
import {
  describeEachDatabase,
  migrateCore,
  type TestDatabase,
} from '../../test/support/test-databases.ts'
import { computeMetrics, coreMetrics, type MetricResult } from './staff-metrics.ts'

const PERIOD = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-02-01T00:00:00Z') }

/**
 * Constructed data with known answers: three conversations in January with messages (A alone, B
 * taken over by a person, C with a request put to staff), one in December and one without
 * messages (neither counts), three staff requests and four guardrail trips.
 */
async function construct(db: TestDatabase) {
  const conversation = async (id: string, started: string) =>
    db.query(`INSERT INTO conversations (id, user_id, started_at) VALUES ($1, 'demo|c', $2)`, [
      id,
      started,
    ])
  const message = async (id: string, role: string, at: string, author: string | null = null) =>
    db.query(
      `INSERT INTO messages (conversation_id, role, content, created_at, author)
       VALUES ($1, $2, 'text', $3, $4)`,
      [id, role, at, author],
    )
  const audit = async (id: string | null, action: string, at: string, payload = {}) =>
    db.query(
      `INSERT INTO audit_log (conversation_id, actor, action, payload, created_at)
       VALUES ($1, 'test', $2, $3::jsonb, $4)`,
      [id, action, JSON.stringify(payload), at],
    )
  const [A, B, C, D, E] = [
    'a0000000-0000-4000-8000-000000000001',
    'a0000000-0000-4000-8000-000000000002',
    'a0000000-0000-4000-8000-000000000003',
    'a0000000-0000-4000-8000-000000000004',
    'a0000000-0000-4000-8000-000000000005',
  ]
  await conversation(A, '2026-01-05T10:00:00Z')
  await message(A, 'user', '2026-01-05T10:00:00Z')
  await message(A, 'assistant', '2026-01-05T10:00:02Z')
  await audit(A, 'message_sent', '2026-01-05T10:00:02Z', {
    input_tokens: 100,
    output_tokens: 20,
    cost_usd: 0.001,
  })

  await conversation(B, '2026-01-05T11:00:00Z')
  await message(B, 'user', '2026-01-05T11:00:00Z')
  await message(B, 'assistant', '2026-01-05T11:00:04Z')
  await audit(B, 'message_sent', '2026-01-05T11:00:04Z', {
    input_tokens: 300,
    output_tokens: 60,
    cost_usd: 0.003,
  })
  await audit(B, 'handoff_started', '2026-01-05T11:00:30Z')
  await message(B, 'user', '2026-01-05T11:01:00Z')
  await message(B, 'assistant', '2026-01-05T11:01:30Z', 'demo|staff')

  await conversation(C, '2026-01-06T09:00:00Z')
  await message(C, 'user', '2026-01-06T09:00:00Z')
  await message(C, 'assistant', '2026-01-06T09:00:06Z')
  await audit(C, 'message_sent', '2026-01-06T09:00:06Z', { input_tokens: 200, output_tokens: 40 })
  await audit(C, 'staff_request_routed', '2026-01-06T09:00:05Z')

  await conversation(D, '2025-12-20T09:00:00Z')
  await message(D, 'user', '2025-12-20T09:00:00Z')
  await message(D, 'assistant', '2025-12-20T09:00:01Z')
  await conversation(E, '2026-01-07T09:00:00Z')

  const request = async (status: string, created: string, decided: string | null) =>
    db.query(
      `INSERT INTO staff_requests
         (kind, tool, arguments, summary, requested_by, status, decided_by, decided_at, created_at)
       VALUES ('k', 't', '{}', '{"title":"x","lines":[],"model_text":[]}', 'demo|c', $1,
               CASE WHEN $3::timestamptz IS NULL THEN NULL ELSE 'demo|staff' END, $3, $2)`,
      [status, created, decided],
    )
  await request('approved', '2026-01-06T09:00:00Z', '2026-01-06T09:10:00Z')
  await request('rejected', '2026-01-06T10:00:00Z', '2026-01-06T10:02:00Z')
  await request('pending', '2026-01-07T10:00:00Z', null)

  await audit(A, 'guardrail_tripped', '2026-01-05T10:00:01Z', { guardrail: 'secrets' })
  await audit(B, 'guardrail_tripped', '2026-01-05T11:00:01Z', { guardrail: 'secrets' })
  await audit(C, 'guardrail_tripped', '2026-01-06T09:00:01Z', { guardrail: 'grounding' })
  await audit(D, 'guardrail_tripped', '2025-12-20T09:00:01Z', { guardrail: 'secrets' })
}

describeEachDatabase('the staff metrics', (target) => {
  let db: TestDatabase
  let figures: Map<string, MetricResult>
  beforeEach(async () => {
    db = await target.open('empty')
    await migrateCore(db)
    await construct(db)
    const results = await computeMetrics(db, coreMetrics([]), PERIOD)
    figures = new Map(results.map((r) => [r.name, r]))
  })
  afterEach(() => db.close())

  const rows = (name: string) => figures.get(name)?.rows

  it('counts the conversations of the period that have messages, per day', () => {
    expect(rows('conversations')).toEqual([
      { label: '2026-01-05', value: 2 },
      { label: '2026-01-06', value: 1 },
    ])
    expect(figures.get('conversations')?.value).toBe(3)
  })

  it('gives the share resolved without a person', () => {
    expect(figures.get('resolved_without_person')?.value).toBe(33.3)
  })

  it('counts requests by decision, and the decision latency p50 and p95', () => {
    expect(rows('requests_by_decision')).toEqual([
      { label: 'approved', value: 1 },
      { label: 'pending', value: 1 },
      { label: 'rejected', value: 1 },
    ])
    // 2 and 10 minutes: the median halfway, the 95th percentile 95 % of the way.
    expect(rows('decision_latency')).toEqual([
      { label: 'p50', value: 360_000 },
      { label: 'p95', value: 576_000 },
    ])
  })

  it('counts guardrail trips of the period by guardrail', () => {
    expect(rows('guardrail_trips')).toEqual([
      { label: 'grounding', value: 1 },
      { label: 'secrets', value: 2 },
    ])
  })

  it('averages tokens and cost per conversation', () => {
    expect(rows('tokens_per_conversation')).toEqual([
      { label: 'input', value: 200 },
      { label: 'output', value: 40 },
    ])
    expect(figures.get('cost_per_conversation')?.value).toBe(0.002)
  })

  it('gives the median time to a first answer, by the Worker and by a person', () => {
    expect(rows('time_to_first_answer')).toEqual([
      { label: 'Worker', value: 4000 },
      { label: 'person', value: 30_000 },
    ])
  })
})
