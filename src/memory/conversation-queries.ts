import type { Queryable } from '../store/database.ts'
import { APPROVAL_WAITING } from './runs.ts'

export interface ConversationListing {
  id: string
  /** The first thing the user said, shortened: what a list shows. */
  title: string
  startedAt: Date
  lastMessageAt: Date | null
  messages: number
  waitingApprovals: number
}

export interface ConversationEntry {
  id: string
  role: string
  /** A message, a tool call the model made, or what the tool returned. */
  kind: 'message' | 'tool_call' | 'tool_result'
  content: string
  /** The tool's name, for calls. */
  name: string | null
  createdAt: Date
  inputTokens: number | null
  outputTokens: number | null
}

/** What the chat API reads of a user's conversations; every query is scoped to the user. */
export const conversationQueries = {
  /** The user's conversations that have messages, the most recently active first. */
  async list(db: Queryable, userId: string, limit: number): Promise<ConversationListing[]> {
    const { rows } = await db.query<{
      id: string
      title: string | null
      started_at: Date
      last_message_at: Date | null
      messages: number
      waiting: number
    }>(
      `SELECT c.id, c.started_at, s.title, s.last_message_at, s.messages,
              (SELECT count(*)::int FROM approvals a JOIN agent_runs r ON r.id = a.run_id
               WHERE a.conversation_id = c.id AND ${APPROVAL_WAITING})
                AS waiting
       FROM conversations c
       CROSS JOIN LATERAL (
         SELECT left((array_agg(m.content ORDER BY m.seq)
                        FILTER (WHERE m.role = 'user'))[1], 121) AS title,
                max(m.created_at) AS last_message_at,
                (count(*) FILTER (WHERE m.role IN ('user', 'assistant')
                   AND coalesce(m.item->>'type', 'message') = 'message'))::int AS messages
         FROM messages m WHERE m.conversation_id = c.id
       ) s
       WHERE c.user_id = $1 AND s.last_message_at IS NOT NULL
       ORDER BY s.last_message_at DESC, c.id
       LIMIT $2`,
      [userId, limit],
    )
    return rows.map((row) => ({
      id: row.id,
      title: shortened(row.title ?? ''),
      startedAt: row.started_at,
      lastMessageAt: row.last_message_at,
      messages: row.messages,
      waitingApprovals: row.waiting,
    }))
  },

  /** The conversation's messages, tool calls and tool results, oldest first. */
  async entries(db: Queryable, conversationId: string, limit = 1000): Promise<ConversationEntry[]> {
    const { rows } = await db.query<{
      id: string
      role: string
      type: string | null
      name: string | null
      content: string
      created_at: Date
      input_tokens: number | null
      output_tokens: number | null
    }>(
      `SELECT * FROM (
         SELECT id, role, item->>'type' AS type, item->>'name' AS name, content, created_at,
                input_tokens, output_tokens, seq
         FROM messages WHERE conversation_id = $1 ORDER BY seq DESC LIMIT $2
       ) newest ORDER BY seq`,
      [conversationId, limit],
    )
    return rows.map((row) => ({
      id: row.id,
      role: row.role,
      kind:
        row.type === 'function_call'
          ? 'tool_call'
          : row.type === 'function_call_result'
            ? 'tool_result'
            : 'message',
      content: row.content,
      name: row.name,
      createdAt: row.created_at,
      inputTokens: row.input_tokens,
      outputTokens: row.output_tokens,
    }))
  },
}

/** A title of at most 120 characters, marked when it was cut. */
function shortened(text: string): string {
  return text.length > 120 ? `${text.slice(0, 119).trimEnd()}…` : text
}
