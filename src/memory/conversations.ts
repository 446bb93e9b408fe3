import type { JsonObject } from '../lib/json.ts'
import type { Queryable } from '../store/database.ts'

export type MessageRole = 'user' | 'assistant' | 'tool' | 'system'

export interface Conversation {
  id: string
  userId: string
  startedAt: Date
  endedAt: Date | null
  summary: string | null
  metadata: JsonObject
}

export interface Message {
  id: string
  conversationId: string
  role: MessageRole
  content: string
  inputTokens: number | null
  outputTokens: number | null
  createdAt: Date
}

export interface NewMessage {
  conversationId: string
  role: MessageRole
  content: string
  inputTokens?: number | undefined
  outputTokens?: number | undefined
}

const CONVERSATION_COLUMNS = 'id, user_id, started_at, ended_at, summary, metadata'
const MESSAGE_COLUMNS =
  'id, conversation_id, role, content, input_tokens, output_tokens, created_at, seq'

/** Conversations and their messages. Pass a transaction to group writes with their audit rows. */
export const conversations = {
  /** True when the conversation has stored messages: a chat, not only a client's MCP session. */
  async hasMessages(q: Queryable, id: string): Promise<boolean> {
    const { rows } = await q.query('SELECT 1 FROM messages WHERE conversation_id = $1 LIMIT 1', [
      id,
    ])
    return rows.length > 0
  },

  async create(q: Queryable, userId: string, metadata: JsonObject = {}): Promise<Conversation> {
    const { rows } = await q.query<ConversationRow>(
      `INSERT INTO conversations (user_id, metadata) VALUES ($1, $2::jsonb)
       RETURNING ${CONVERSATION_COLUMNS}`,
      [userId, JSON.stringify(metadata)],
    )
    return toConversation(single(rows))
  },

  /** The conversation, only when it belongs to `userId`: ids from outside never cross users. */
  async findForUser(q: Queryable, id: string, userId: string): Promise<Conversation | undefined> {
    const { rows } = await q.query<ConversationRow>(
      `SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE id = $1 AND user_id = $2`,
      [id, userId],
    )
    return rows[0] === undefined ? undefined : toConversation(rows[0])
  },

  async listForUser(q: Queryable, userId: string, limit = 50): Promise<Conversation[]> {
    const { rows } = await q.query<ConversationRow>(
      `SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE user_id = $1
       ORDER BY started_at DESC, id LIMIT $2`,
      [userId, limit],
    )
    return rows.map(toConversation)
  },

  /**
   * Makes the conversation `id` for `userId` unless one with that id exists; whether it was made.
   * For rows with a known id, such as demo data loaded on every start.
   */
  async createWithId(
    q: Queryable,
    id: string,
    userId: string,
    metadata: JsonObject = {},
  ): Promise<boolean> {
    const { rowCount } = await q.query(
      `INSERT INTO conversations (id, user_id, metadata) VALUES ($1, $2, $3::jsonb)
       ON CONFLICT (id) DO NOTHING`,
      [id, userId, JSON.stringify(metadata)],
    )
    return rowCount > 0
  },

  /** Whether a conversation with this id exists, whoever's it is. */
  async exists(q: Queryable, id: string): Promise<boolean> {
    const { rows } = await q.query('SELECT 1 FROM conversations WHERE id = $1', [id])
    return rows.length > 0
  },

  /** Whether the conversation is `userId`'s: another user's reads as missing. */
  async owns(q: Queryable, userId: string, id: string): Promise<boolean> {
    const { rows } = await q.query('SELECT 1 FROM conversations WHERE id = $1 AND user_id = $2', [
      id,
      userId,
    ])
    return rows.length > 0
  },

  /**
   * The conversation `id` for `userId`: made when missing. False when it is someone else's. Safe
   * to repeat, and to race: two callers making the same id both see one row.
   */
  async claim(q: Queryable, id: string, userId: string): Promise<boolean> {
    const { rows } = await q.query<{ user_id: string }>(
      `WITH made AS (
         INSERT INTO conversations (id, user_id) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING
         RETURNING user_id
       )
       SELECT user_id FROM made UNION ALL SELECT user_id FROM conversations WHERE id = $1`,
      [id, userId],
    )
    return rows[0]?.user_id === userId
  },

  /**
   * `claim` for a Worker turn, in the same round trip: whether `userId` owns the conversation
   * (made when missing), and who holds it when a person does.
   */
  async claimForTurn(
    q: Queryable,
    id: string,
    userId: string,
  ): Promise<{ owned: boolean; heldBy: string | null }> {
    const { rows } = await q.query<{ user_id: string; held_by: string | null }>(
      `WITH made AS (
         INSERT INTO conversations (id, user_id) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING
         RETURNING user_id, held_by
       )
       SELECT user_id, held_by FROM made
       UNION ALL SELECT user_id, held_by FROM conversations WHERE id = $1`,
      [id, userId],
    )
    const row = rows[0]
    return { owned: row?.user_id === userId, heldBy: row?.held_by ?? null }
  },

  /** Any conversation by id, whoever's it is: for the operator's replay. */
  async find(q: Queryable, id: string): Promise<Conversation | undefined> {
    const { rows } = await q.query<ConversationRow>(
      `SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE id = $1`,
      [id],
    )
    return rows[0] === undefined ? undefined : toConversation(rows[0])
  },

  async setSummary(q: Queryable, id: string, summary: string): Promise<void> {
    await q.query('UPDATE conversations SET summary = $2 WHERE id = $1', [id, summary])
  },

  async end(q: Queryable, id: string, summary: string | null = null): Promise<void> {
    await q.query(
      'UPDATE conversations SET ended_at = clock_timestamp(), summary = coalesce($2, summary) WHERE id = $1',
      [id, summary],
    )
  },

  async appendMessage(q: Queryable, message: NewMessage): Promise<Message> {
    const { rows } = await q.query<MessageRow>(
      `INSERT INTO messages (conversation_id, role, content, input_tokens, output_tokens)
       VALUES ($1, $2, $3, $4, $5) RETURNING ${MESSAGE_COLUMNS}`,
      [
        message.conversationId,
        message.role,
        message.content,
        message.inputTokens ?? null,
        message.outputTokens ?? null,
      ],
    )
    return toMessage(single(rows))
  },

  /** Oldest first; `limit` keeps the newest ones. */
  async messages(q: Queryable, conversationId: string, limit = 1000): Promise<Message[]> {
    const { rows } = await q.query<MessageRow>(
      `SELECT * FROM (
         SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1
         ORDER BY seq DESC LIMIT $2
       ) newest ORDER BY seq`,
      [conversationId, limit],
    )
    return rows.map(toMessage)
  },
}

interface ConversationRow extends Record<string, unknown> {
  id: string
  user_id: string
  started_at: Date
  ended_at: Date | null
  summary: string | null
  metadata: JsonObject
}

interface MessageRow extends Record<string, unknown> {
  id: string
  conversation_id: string
  role: MessageRole
  content: string
  input_tokens: number | null
  output_tokens: number | null
  created_at: Date
}

function toConversation(row: ConversationRow): Conversation {
  return {
    id: row.id,
    userId: row.user_id,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    summary: row.summary,
    metadata: row.metadata,
  }
}

function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    role: row.role,
    content: row.content,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    createdAt: row.created_at,
  }
}

function single<T>(rows: T[]): T {
  const row = rows[0]
  if (row === undefined) throw new Error('an INSERT ... RETURNING returned no row')
  return row
}
