import type { Json } from '../lib/json.ts'
import type { Queryable } from '../store/database.ts'

/** One audit row of a conversation, with the capability invocation it records, if any. */
export interface AuditEvent {
  kind: 'audit'
  at: Date
  id: number
  action: string
  actor: string
  target: string | null
  payload: Json
  result: Json
  /** The call it was recorded in (a business event, or the call's own row); null outside one. */
  invocationId: string | null
  /**
   * The W3C trace id of the call or the Worker's turn it was written in (a call's row recorded
   * before migration 015: its invocation's, which that migration filled in).
   */
  traceId: string | null
  invocation: {
    id: string
    capability: string
    status: string
    latencyMs: number
    costUsd: string | null
    arguments: Json
    result: Json
    /** The caller's span the call was made from (in the trace `traceId`). */
    parentSpanId: string | null
  } | null
}

/**
 * A conversation's audit rows in the order they were written, read by conversation id alone so a
 * trail outlives its conversation row. `position` is the row's place in the log's sequence, which
 * the conversation's messages share: a reader merges both by it.
 */
export async function auditTrail(
  q: Queryable,
  conversationId: string,
): Promise<Array<{ position: number; event: AuditEvent }>> {
  const { rows } = await q.query<AuditRow>(
    `SELECT a.id, a.created_at, a.action, a.actor, a.target, a.payload, a.result, a.invocation_id,
            coalesce(a.trace_id, ci.trace_id) AS trace_id, ci.id AS invoked_id, ci.capability,
            ci.status, ci.latency_ms, ci.cost_usd, ci.arguments, ci.result AS invocation_result,
            ci.parent_span_id
     FROM audit_log a
     LEFT JOIN capability_invocations ci
       ON ci.id = a.invocation_id AND a.action = 'capability_invoked'
     WHERE a.conversation_id = $1
     ORDER BY a.id`,
    [conversationId],
  )
  return rows.map((row) => ({ position: Number(row.id), event: toEvent(row) }))
}

interface AuditRow extends Record<string, unknown> {
  id: number
  created_at: Date
  action: string
  actor: string
  target: string | null
  payload: Json
  result: Json
  invocation_id: string | null
  trace_id: string | null
  invoked_id: string | null
  capability: string | null
  status: string | null
  latency_ms: number | null
  cost_usd: string | null
  arguments: Json
  invocation_result: Json
  parent_span_id: string | null
}

function toEvent(row: AuditRow): AuditEvent {
  return {
    kind: 'audit',
    at: row.created_at,
    id: row.id,
    action: row.action,
    actor: row.actor,
    target: row.target,
    payload: row.payload,
    result: row.result,
    invocationId: row.invocation_id,
    traceId: row.trace_id,
    invocation:
      row.invoked_id === null
        ? null
        : {
            id: row.invoked_id,
            capability: row.capability ?? '',
            status: row.status ?? '',
            latencyMs: row.latency_ms ?? 0,
            costUsd: row.cost_usd,
            arguments: row.arguments,
            result: row.invocation_result,
            parentSpanId: row.parent_span_id,
          },
  }
}
