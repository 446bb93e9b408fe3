import { type AuditEvent, auditTrail } from '../audit/audit-trail.ts'
import type { Queryable } from '../store/database.ts'
import { type Conversation, conversations } from './conversations.ts'

export type ConversationSummary = Omit<Conversation, 'metadata'>

export interface MessageEvent {
  kind: 'message'
  at: Date
  id: string
  role: string
  /** A person who wrote it in the Worker's place (a handoff); null for everything else. */
  author: string | null
  content: string
  inputTokens: number | null
  outputTokens: number | null
}

export type TimelineEvent = MessageEvent | AuditEvent

export interface Timeline {
  conversation: ConversationSummary | null
  events: TimelineEvent[]
}

/**
 * Everything recorded about one conversation, oldest first: its messages and its audit rows, each
 * audit row joined with the capability invocation it belongs to. Ordered by position, not time:
 * messages take their position from the audit log's sequence (migration 002), so rows written in
 * one millisecond, or one transaction, keep their order. The audit side is read by conversation
 * id alone, so a trail outlives its conversation row.
 */
export async function loadTimeline(db: Queryable, conversationId: string): Promise<Timeline> {
  const [conversation, messages, audit] = await Promise.all([
    conversations.find(db, conversationId),
    conversations.positionedMessages(db, conversationId),
    auditTrail(db, conversationId),
  ])
  const events: TimelineEvent[] = []
  let m = 0
  let a = 0
  while (m < messages.length || a < audit.length) {
    const message = messages[m]
    const row = audit[a]
    if (row === undefined || (message !== undefined && message.position < row.position)) {
      if (message !== undefined) events.push(message.event)
      m++
    } else {
      events.push(row.event)
      a++
    }
  }
  return {
    conversation:
      conversation === undefined
        ? null
        : {
            id: conversation.id,
            userId: conversation.userId,
            startedAt: conversation.startedAt,
            endedAt: conversation.endedAt,
            summary: conversation.summary,
          },
    events,
  }
}
