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
  /**
   * What the model's memory holds it as: `message`, `function_call` (the Worker asking for a
   * tool), `function_call_result` (what the tool answered); null for a message written without.
   */
  itemType: string | null
  /** The tool call it belongs to, and the tool's name and arguments (JSON text), when it is one. */
  callId: string | null
  tool: string | null
  arguments: string | null
}

export type TimelineEvent = MessageEvent | AuditEvent

export interface Timeline {
  conversation: ConversationSummary | null
  events: TimelineEvent[]
}

/**
 * Everything recorded about one conversation, in the order it was written: its messages and its
 * audit rows, each audit row joined with the capability invocation it belongs to. Ordered by
 * position, not time: messages take their position from the audit log's sequence (migration 002),
 * so rows written in one millisecond, or one transaction, keep their order. A turn writes its
 * messages as it ends, so this is the record, not the story: `tellStory` orders it in time. The
 * audit side is read by conversation id alone, so a trail outlives its conversation row.
 */
export async function loadTimeline(db: Queryable, conversationId: string): Promise<Timeline> {
  const [conversation, messages, audit] = await Promise.all([
    conversations.find(db, conversationId),
    positionedMessages(db, conversationId),
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

interface MessageRow extends Record<string, unknown> {
  id: string
  seq: string
  role: string
  author: string | null
  content: string
  input_tokens: number | null
  output_tokens: number | null
  created_at: Date
  item_type: string | null
  call_id: string | null
  tool: string | null
  arguments: string | null
}

/** Every message of a conversation as a timeline shows it, with its place in the log. */
async function positionedMessages(
  q: Queryable,
  conversationId: string,
): Promise<Array<{ position: number; event: MessageEvent }>> {
  const { rows } = await q.query<MessageRow>(
    `SELECT id, seq, role, author, content, input_tokens, output_tokens, created_at,
            item->>'type' AS item_type, item->>'callId' AS call_id, item->>'name' AS tool,
            item->>'arguments' AS arguments
     FROM messages WHERE conversation_id = $1 ORDER BY seq`,
    [conversationId],
  )
  return rows.map((row) => ({
    position: Number(row.seq),
    event: {
      kind: 'message',
      at: row.created_at,
      id: row.id,
      role: row.role,
      author: row.author,
      content: row.content,
      inputTokens: row.input_tokens,
      outputTokens: row.output_tokens,
      itemType: row.item_type,
      callId: row.call_id,
      tool: row.tool,
      arguments: row.arguments,
    },
  }))
}
