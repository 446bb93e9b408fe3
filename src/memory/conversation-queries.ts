import type { Queryable } from '../store/database.ts'
import { APPROVAL_WAITING } from './runs.ts'

export interface ConversationListing {
  id: string
  /** Who it belongs to (their subject). */
  userId: string
  /** Its title (what it is about), else the first thing the user said, shortened. */
  title: string
  startedAt: Date
  lastMessageAt: Date | null
  messages: number
  waitingApprovals: number
  /** The person holding it, when one does. */
  heldBy: string | null
}

export interface ConversationEntry {
  id: string
  role: string
  /** A message, a tool call the model made, or what the tool returned. */
  kind: 'message' | 'tool_call' | 'tool_result'
  content: string
  /** The tool's name, for calls. */
  name: string | null
  /** The person who wrote an assistant message (a handoff); null: the Worker, or the user. */
  author: string | null
  createdAt: Date
  inputTokens: number | null
  outputTokens: number | null
}

/** What the chat API reads of a user's conversations; every query is scoped to the user. */
export const conversationQueries = {
  /** The user's conversations that have messages, the most recently active first. */
  async list(db: Queryable, userId: string, limit: number): Promise<ConversationListing[]> {
    return listed(db, 'WHERE c.user_id = $1 AND', [userId, limit])
  },

  /** Everyone's conversations that have messages, the most recently active first (staff). */
  async listAll(db: Queryable, limit: number): Promise<ConversationListing[]> {
    return listed(db, 'WHERE $1::text IS NULL AND', [null, limit])
  },

  /** The conversation's messages, tool calls and tool results, oldest first. */
  async entries(db: Queryable, conversationId: string, limit = 1000): Promise<ConversationEntry[]> {
    const { rows } = await db.query<EntryRow>(
      `SELECT * FROM (
         SELECT ${ENTRY_COLUMNS}, seq FROM messages WHERE conversation_id = $1
         ORDER BY seq DESC LIMIT $2
       ) newest ORDER BY seq`,
      [conversationId, limit],
    )
    return rows.map(toEntry)
  },

  /** Whose the conversation is, and its title (the first words when it has none). */
  async about(db: Queryable, id: string): Promise<{ userId: string; title: string } | undefined> {
    const { rows } = await db.query<{
      user_id: string
      title: string | null
      first: string | null
    }>(
      `SELECT c.user_id, c.title,
              (SELECT left(m.content, 121) FROM messages m
               WHERE m.conversation_id = c.id AND m.role = 'user' ORDER BY m.seq LIMIT 1) AS first
       FROM conversations c WHERE c.id = $1`,
      [id],
    )
    const row = rows[0]
    return row === undefined
      ? undefined
      : { userId: row.user_id, title: row.title ?? shortened(row.first ?? '') }
  },

  /** One stored entry of a conversation, by its id. */
  async entry(
    db: Queryable,
    conversationId: string,
    id: string,
  ): Promise<ConversationEntry | undefined> {
    const { rows } = await db.query<EntryRow>(
      `SELECT ${ENTRY_COLUMNS} FROM messages WHERE conversation_id = $1 AND id = $2`,
      [conversationId, id],
    )
    return rows[0] === undefined ? undefined : toEntry(rows[0])
  },
}

async function listed(
  db: Queryable,
  where: string,
  params: [string | null, number],
): Promise<ConversationListing[]> {
  const { rows } = await db.query<{
    id: string
    user_id: string
    title: string | null
    first_words: string | null
    started_at: Date
    last_message_at: Date | null
    messages: number
    waiting: number
    held_by: string | null
  }>(
    `SELECT c.id, c.user_id, c.title, c.held_by, c.started_at, s.first_words, s.last_message_at,
            s.messages,
            (SELECT count(*)::int FROM approvals a JOIN agent_runs r ON r.id = a.run_id
             WHERE a.conversation_id = c.id AND ${APPROVAL_WAITING})
              AS waiting
     FROM conversations c
     CROSS JOIN LATERAL (
       SELECT left((array_agg(m.content ORDER BY m.seq)
                      FILTER (WHERE m.role = 'user'))[1], 121) AS first_words,
              max(m.created_at) AS last_message_at,
              (count(*) FILTER (WHERE m.role IN ('user', 'assistant')
                 AND coalesce(m.item->>'type', 'message') = 'message'))::int AS messages
       FROM messages m WHERE m.conversation_id = c.id
     ) s
     ${where} s.last_message_at IS NOT NULL
     ORDER BY s.last_message_at DESC, c.id
     LIMIT $2`,
    params,
  )
  return rows.map((row) => ({
    id: row.id,
    userId: row.user_id,
    title: row.title ?? shortened(row.first_words ?? ''),
    startedAt: row.started_at,
    lastMessageAt: row.last_message_at,
    messages: row.messages,
    waitingApprovals: row.waiting,
    heldBy: row.held_by,
  }))
}

const ENTRY_COLUMNS = `id, role, item->>'type' AS type, item->>'name' AS name, content, author,
  created_at, input_tokens, output_tokens`

type EntryRow = {
  id: string
  role: string
  type: string | null
  name: string | null
  content: string
  author: string | null
  created_at: Date
  input_tokens: number | null
  output_tokens: number | null
}

function toEntry(row: EntryRow): ConversationEntry {
  return {
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
    author: row.author,
    createdAt: row.created_at,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
  }
}

/** A title of at most 120 characters, marked when it was cut. */
function shortened(text: string): string {
  return text.length > 120 ? `${text.slice(0, 119).trimEnd()}…` : text
}
