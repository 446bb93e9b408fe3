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
  const messages = await db.query<{
    id: string
    role: string
    content: string
    input_tokens: number | null
    output_tokens: number | null
    created_at: Date
  }>(
    `SELECT id, role, content, input_tokens, output_tokens, created_at
     FROM messages WHERE conversation_id = $1 ORDER BY created_at, id`,
    [conversationId],
  )
  const audit = await db.query<{
    id: number
    action: string
    actor: string
    target: string | null
    payload: Json
    result: Json
    created_at: Date
    invocation_id: string | null
    capability: string | null
    status: string | null
    latency_ms: number | null
    cost_usd: string | null
    arguments: Json
    invocation_result: Json
  }>(
    `SELECT a.id, a.action, a.actor, a.target, a.payload, a.result, a.created_at,
            ci.id AS invocation_id, ci.capability, ci.status, ci.latency_ms, ci.cost_usd,
            ci.arguments, ci.result AS invocation_result
     FROM audit_log a
     LEFT JOIN capability_invocations ci
       ON ci.id = a.invocation_id AND a.action = 'capability_invoked'
     WHERE a.conversation_id = $1
     ORDER BY a.created_at, a.id`,
    [conversationId],
  )

  const events: TimelineEvent[] = [
    ...messages.rows.map(
      (m): TimelineEvent => ({
        kind: 'message',
        at: m.created_at,
        id: m.id,
        role: m.role,
        content: m.content,
        inputTokens: m.input_tokens,
        outputTokens: m.output_tokens,
      }),
    ),
    ...audit.rows.map(
      (a): TimelineEvent => ({
        kind: 'audit',
        at: a.created_at,
        id: a.id,
        action: a.action,
        actor: a.actor,
        target: a.target,
        payload: a.payload,
        result: a.result,
        invocation:
          a.invocation_id === null
            ? null
            : {
                id: a.invocation_id,
                capability: a.capability ?? '',
                status: a.status ?? '',
                latencyMs: a.latency_ms ?? 0,
                costUsd: a.cost_usd,
                arguments: a.arguments,
                result: a.invocation_result,
              },
      }),
    ),
  ]
  // Rows written in one transaction share a timestamp: a message comes before the audit rows that
  // record it, and audit rows keep their insertion order.
  events.sort(
    (a, b) =>
      a.at.getTime() - b.at.getTime() ||
      rank(a) - rank(b) ||
      (a.kind === 'audit' && b.kind === 'audit' ? a.id - b.id : 0),
  )
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

function rank(event: TimelineEvent): number {
  return event.kind === 'message' ? 0 : 1
}
