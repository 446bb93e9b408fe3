import type { Json } from '../lib/json.ts'
import type { Queryable } from '../store/database.ts'

export interface ConversationSummary {
  id: string
  userId: string
  startedAt: Date
  endedAt: Date | null
  summary: string | null
}

export type TimelineEvent =
  | {
      kind: 'message'
      at: Date
      id: string
      role: string
      content: string
      inputTokens: number | null
      outputTokens: number | null
    }
  | {
      kind: 'audit'
      at: Date
      id: number
      action: string
      actor: string
      target: string | null
      payload: Json
      result: Json
      invocation: {
        id: string
        capability: string
        status: string
        latencyMs: number
        costUsd: string | null
        arguments: Json
        result: Json
      } | null
    }

export interface Timeline {
  conversation: ConversationSummary | null
  events: TimelineEvent[]
}

/**
 * Everything recorded about one conversation, oldest first: its messages and its audit rows, each
 * audit row joined with the capability invocation it belongs to. The audit side is read by
 * conversation id alone, so a trail outlives its conversation row.
 */
export async function loadTimeline(db: Queryable, conversationId: string): Promise<Timeline> {
  const conversation = await db.query<{
    id: string
    user_id: string
    started_at: Date
    ended_at: Date | null
    summary: string | null
  }>('SELECT id, user_id, started_at, ended_at, summary FROM conversations WHERE id = $1', [
    conversationId,
  ])
  // Ordered by position, not time: messages take their position from the audit log's sequence
  // (migration 002), so rows written in one millisecond, or one transaction, keep their order.
  const { rows } = await db.query<TimelineRow>(
    `SELECT * FROM (
       SELECT 'message' AS kind, m.created_at AS at, m.seq AS position, m.id::text AS message_id,
              m.role, m.content, m.input_tokens, m.output_tokens,
              NULL::bigint AS audit_id, NULL AS action, NULL AS actor, NULL AS target,
              NULL::jsonb AS payload, NULL::jsonb AS result, NULL::uuid AS invocation_id,
              NULL AS capability, NULL AS status, NULL::int AS latency_ms,
              NULL::numeric AS cost_usd, NULL::jsonb AS arguments, NULL::jsonb AS invocation_result
       FROM messages m WHERE m.conversation_id = $1
       UNION ALL
       SELECT 'audit', a.created_at, a.id, NULL, NULL, NULL, NULL, NULL,
              a.id, a.action, a.actor, a.target, a.payload, a.result, ci.id,
              ci.capability, ci.status, ci.latency_ms, ci.cost_usd, ci.arguments, ci.result
       FROM audit_log a
       LEFT JOIN capability_invocations ci
         ON ci.id = a.invocation_id AND a.action = 'capability_invoked'
       WHERE a.conversation_id = $1
     ) timeline
     ORDER BY position`,
    [conversationId],
  )
  const events = rows.map(toEvent)
  const c = conversation.rows[0]
  return {
    conversation:
      c === undefined
        ? null
        : {
            id: c.id,
            userId: c.user_id,
            startedAt: c.started_at,
            endedAt: c.ended_at,
            summary: c.summary,
          },
    events,
  }
}

interface TimelineRow extends Record<string, unknown> {
  kind: 'message' | 'audit'
  at: Date
  message_id: string | null
  role: string | null
  content: string | null
  input_tokens: number | null
  output_tokens: number | null
  audit_id: number | null
  action: string | null
  actor: string | null
  target: string | null
  payload: Json
  result: Json
  invocation_id: string | null
  capability: string | null
  status: string | null
  latency_ms: number | null
  cost_usd: string | null
  arguments: Json
  invocation_result: Json
}

function toEvent(row: TimelineRow): TimelineEvent {
  if (row.kind === 'message') {
    return {
      kind: 'message',
      at: row.at,
      id: row.message_id ?? '',
      role: row.role ?? '',
      content: row.content ?? '',
      inputTokens: row.input_tokens,
      outputTokens: row.output_tokens,
    }
  }
  return {
    kind: 'audit',
    at: row.at,
    id: row.audit_id ?? 0,
    action: row.action ?? '',
    actor: row.actor ?? '',
    target: row.target,
    payload: row.payload,
    result: row.result,
    invocation:
      row.invocation_id === null
        ? null
        : {
            id: row.invocation_id,
            capability: row.capability ?? '',
            status: row.status ?? '',
            latencyMs: row.latency_ms ?? 0,
            costUsd: row.cost_usd,
            arguments: row.arguments,
            result: row.invocation_result,
          },
  }
}
