import type { MetricDefinition } from '../../../src/pack/staff-contract.ts'

/** The support pack's figures of the staff metrics page (see the core's for the conventions). */
export const supportMetrics: readonly MetricDefinition[] = [
  {
    name: 'escalation_rate',
    title: 'Escalation rate',
    description:
      'Share of conversations started in the period (with a message) in which a ticket was escalated (a ticket_escalated audit row).',
    unit: 'percent',
    shape: 'single',
    sql: `SELECT 'escalated' AS label,
       round(100.0 * count(*) FILTER (WHERE EXISTS (
         SELECT 1 FROM audit_log a
         WHERE a.conversation_id = c.id AND a.action = 'ticket_escalated'
       )) / nullif(count(*), 0), 1) AS value
FROM conversations c
WHERE c.started_at >= $1 AND c.started_at < $2
  AND EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id)`,
  },
  {
    name: 'refunds',
    title: 'Refunds issued and blocked',
    description: 'refund_issued and refund_blocked audit rows in the period: how many.',
    unit: 'count',
    shape: 'breakdown',
    sql: `SELECT CASE action WHEN 'refund_issued' THEN 'issued' ELSE 'blocked' END AS label,
       count(*)::int AS value
FROM audit_log
WHERE action IN ('refund_issued', 'refund_blocked') AND created_at >= $1 AND created_at < $2
GROUP BY 1 ORDER BY 1`,
  },
  {
    name: 'refund_amounts',
    title: 'Refund amounts issued and blocked',
    description: 'The same rows: the amounts asked for, in USD (payload amount_cents / 100).',
    unit: 'usd',
    shape: 'breakdown',
    sql: `SELECT CASE action WHEN 'refund_issued' THEN 'issued' ELSE 'blocked' END AS label,
       round(sum((payload->>'amount_cents')::numeric) / 100, 2) AS value
FROM audit_log
WHERE action IN ('refund_issued', 'refund_blocked') AND created_at >= $1 AND created_at < $2
GROUP BY 1 ORDER BY 1`,
  },
]
