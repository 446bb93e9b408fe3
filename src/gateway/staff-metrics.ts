import type { MetricDefinition } from '../pack/staff-contract.ts'
import type { Queryable } from '../store/database.ts'

/**
 * The core's figures of the staff metrics page: each one SQL query over the audit trail and the
 * conversation tables, the period as `$1` (from) and `$2` (to). A conversation counts in the
 * period it started in. The pack adds its own (refunds, escalations) through its contract.
 */
export function coreMetrics(personActions: readonly string[]): MetricDefinition[] {
  const stepIn = ['handoff_started', 'staff_request_routed', 'person_message', ...personActions]
  const actions = stepIn.map((action) => `'${action.replace(/[^a-z0-9_]/g, '')}'`).join(', ')
  return [
    {
      name: 'conversations',
      title: 'Conversations',
      description: 'Conversations started in the period that have at least one message, per day.',
      unit: 'count',
      shape: 'series',
      sql: `SELECT to_char(date_trunc('day', c.started_at), 'YYYY-MM-DD') AS label,
       count(*)::int AS value
FROM conversations c
WHERE c.started_at >= $1 AND c.started_at < $2
  AND EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id)
GROUP BY 1 ORDER BY 1`,
    },
    {
      name: 'resolved_without_person',
      title: 'Resolved without a person',
      description: `Share of those conversations in which no person stepped in: no audit row of ${stepIn.join(', ')}.`,
      unit: 'percent',
      shape: 'single',
      sql: `SELECT 'resolved without a person' AS label,
       round(100.0 * count(*) FILTER (WHERE NOT EXISTS (
         SELECT 1 FROM audit_log a
         WHERE a.conversation_id = c.id AND a.action IN (${actions})
       )) / nullif(count(*), 0), 1) AS value
FROM conversations c
WHERE c.started_at >= $1 AND c.started_at < $2
  AND EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id)`,
    },
    {
      name: 'requests_by_decision',
      title: 'Staff requests by decision',
      description: 'Requests put to staff in the period, by what became of them.',
      unit: 'count',
      shape: 'breakdown',
      sql: `SELECT status AS label, count(*)::int AS value
FROM staff_requests
WHERE created_at >= $1 AND created_at < $2
GROUP BY status ORDER BY status`,
    },
    {
      name: 'decision_latency',
      title: 'Time to a staff decision',
      description:
        'From a request to its decision, for requests decided in the period: median and 95th percentile.',
      unit: 'ms',
      shape: 'breakdown',
      sql: `SELECT p.label, round(percentile_cont(p.q) WITHIN GROUP (
         ORDER BY extract(epoch FROM r.decided_at - r.created_at) * 1000))::bigint AS value
FROM staff_requests r CROSS JOIN (VALUES ('p50', 0.5), ('p95', 0.95)) AS p(label, q)
WHERE r.decided_at >= $1 AND r.decided_at < $2
GROUP BY p.label, p.q ORDER BY p.label`,
    },
    {
      name: 'guardrail_trips',
      title: 'Guardrail trips',
      description: 'Audit rows of guardrail_tripped in the period, by guardrail.',
      unit: 'count',
      shape: 'breakdown',
      sql: `SELECT payload->>'guardrail' AS label, count(*)::int AS value
FROM audit_log
WHERE action = 'guardrail_tripped' AND created_at >= $1 AND created_at < $2
GROUP BY 1 ORDER BY 1`,
    },
    {
      name: 'tokens_per_conversation',
      title: 'Tokens per conversation',
      description:
        "The Worker's input and output tokens (message_sent rows), averaged over the conversations they were spent in during the period.",
      unit: 'tokens',
      shape: 'breakdown',
      sql: `SELECT t.label, round(avg(t.tokens))::bigint AS value
FROM (
  SELECT a.conversation_id,
         sum(coalesce((a.payload->>'input_tokens')::bigint, 0)) AS input,
         sum(coalesce((a.payload->>'output_tokens')::bigint, 0)) AS output
  FROM audit_log a
  WHERE a.action = 'message_sent' AND a.created_at >= $1 AND a.created_at < $2
  GROUP BY a.conversation_id
) per CROSS JOIN LATERAL (VALUES ('input', per.input), ('output', per.output)) AS t(label, tokens)
GROUP BY t.label ORDER BY t.label`,
    },
    {
      name: 'cost_per_conversation',
      title: 'Cost per conversation',
      description:
        "The Worker's model cost in USD (message_sent rows with a known price), averaged over the conversations of the period that spent any.",
      unit: 'usd',
      shape: 'single',
      sql: `SELECT 'cost per conversation' AS label, round(avg(per.cost), 6) AS value
FROM (
  SELECT a.conversation_id, sum((a.payload->>'cost_usd')::numeric) AS cost
  FROM audit_log a
  WHERE a.action = 'message_sent' AND a.created_at >= $1 AND a.created_at < $2
    AND a.payload->>'cost_usd' IS NOT NULL
  GROUP BY a.conversation_id
) per`,
    },
    {
      name: 'time_to_first_answer',
      title: 'Time to first answer',
      description:
        "Median wait of a customer: from a conversation's first message to the Worker's first reply; and from the customer's last message before a person's first reply to that reply. Conversations started in the period.",
      unit: 'ms',
      shape: 'breakdown',
      sql: `SELECT w.label, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY w.ms))::bigint AS value
FROM conversations c
CROSS JOIN LATERAL (
  SELECT 'Worker' AS label,
         extract(epoch FROM min(m.created_at) FILTER (WHERE m.role = 'assistant' AND m.author IS NULL
           AND coalesce(m.item->>'type', 'message') = 'message')
           - min(m.created_at) FILTER (WHERE m.role = 'user')) * 1000 AS ms
  FROM messages m WHERE m.conversation_id = c.id
  UNION ALL
  SELECT 'person', extract(epoch FROM p.created_at - (
           SELECT max(u.created_at) FROM messages u
           WHERE u.conversation_id = c.id AND u.role = 'user' AND u.seq < p.seq)) * 1000
  FROM (SELECT created_at, seq FROM messages
        WHERE conversation_id = c.id AND author IS NOT NULL ORDER BY seq LIMIT 1) p
) w
WHERE c.started_at >= $1 AND c.started_at < $2 AND w.ms IS NOT NULL AND w.ms >= 0
GROUP BY w.label ORDER BY w.label`,
    },
  ]
}

export interface MetricResult {
  name: string
  title: string
  description: string
  unit: MetricDefinition['unit']
  shape: MetricDefinition['shape']
  /** A single figure's value; a breakdown's or series' total for counts; else null. */
  value: number | null
  rows: Array<{ label: string; value: number | null }>
  query: string
}

/** Runs each figure's query for the period, as written (the query shown is the query run). */
export async function computeMetrics(
  q: Queryable,
  definitions: readonly MetricDefinition[],
  period: { from: Date; to: Date },
): Promise<MetricResult[]> {
  const results: MetricResult[] = []
  for (const definition of definitions) {
    const { rows } = await q.query<{ label: string | null; value: string | number | null }>(
      definition.sql,
      [period.from, period.to],
    )
    const parsed = rows.map((row) => ({
      label: row.label ?? '(none)',
      value: row.value === null ? null : Number(row.value),
    }))
    const value =
      definition.shape === 'single'
        ? (parsed[0]?.value ?? null)
        : definition.unit === 'count'
          ? parsed.reduce((sum, row) => sum + (row.value ?? 0), 0)
          : null
    results.push({
      name: definition.name,
      title: definition.title,
      description: definition.description,
      unit: definition.unit,
      shape: definition.shape,
      value,
      rows: parsed,
      query: definition.sql,
    })
  }
  return results
}
