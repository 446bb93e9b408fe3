import { ConflictError, NotFoundError } from '../lib/errors.ts'
import type { Queryable } from '../store/database.ts'

/** Who holds a conversation, and since when. */
export interface Hold {
  heldBy: string
  since: Date
}

/** The text a person's reply is replayed to the model as: marked as theirs, not the Worker's. */
export function personItemText(name: string, text: string): string {
  return `[${name}, a person from the support team, wrote to the customer:]\n${text}`
}

/**
 * Conversations a person has taken over from the Worker, and what that person writes in them.
 * The hold is a column of the conversation's row: the Worker's last write of a turn locks that
 * row and reads it (see `PostgresSession.commit`), so a takeover and a reply never cross.
 */
export const handoffs = {
  async holder(q: Queryable, conversationId: string): Promise<Hold | undefined> {
    const { rows } = await q.query<{ held_by: string | null; held_since: Date | null }>(
      'SELECT held_by, held_since FROM conversations WHERE id = $1',
      [conversationId],
    )
    const row = rows[0]
    return row?.held_by == null ? undefined : { heldBy: row.held_by, since: row.held_since as Date }
  },

  /** `sub` takes the conversation; a conflict when someone else holds it already. */
  async takeOver(q: Queryable, conversationId: string, sub: string): Promise<Hold> {
    const { rows } = await q.query<{ held_by: string | null; held_since: Date | null }>(
      'SELECT held_by, held_since FROM conversations WHERE id = $1 FOR UPDATE',
      [conversationId],
    )
    const row = rows[0]
    if (row === undefined) throw new NotFoundError(`No conversation ${conversationId} was found.`)
    if (row.held_by !== null) {
      if (row.held_by === sub) return { heldBy: sub, since: row.held_since as Date }
      throw new ConflictError(`${row.held_by} holds this conversation already.`)
    }
    const { rows: held } = await q.query<{ held_since: Date }>(
      `UPDATE conversations SET held_by = $2, held_since = now() WHERE id = $1
       RETURNING held_since`,
      [conversationId, sub],
    )
    return { heldBy: sub, since: (held[0] as { held_since: Date }).held_since }
  },

  /** Hands the conversation back to the Worker; what the hold was, undefined when there was none. */
  async release(q: Queryable, conversationId: string): Promise<Hold | undefined> {
    const { rows } = await q.query<{ held_by: string | null; held_since: Date | null }>(
      `UPDATE conversations c SET held_by = NULL, held_since = NULL
       FROM (SELECT id, held_by, held_since FROM conversations WHERE id = $1 FOR UPDATE) before
       WHERE c.id = before.id AND before.held_by IS NOT NULL
       RETURNING before.held_by, before.held_since`,
      [conversationId],
    )
    const row = rows[0]
    return row?.held_by == null ? undefined : { heldBy: row.held_by, since: row.held_since as Date }
  },

  /** Conversations held now, the longest-held first. */
  async held(
    q: Queryable,
    limit = 200,
  ): Promise<Array<{ conversationId: string; userId: string } & Hold>> {
    const { rows } = await q.query<{
      id: string
      user_id: string
      held_by: string
      held_since: Date
    }>(
      `SELECT id, user_id, held_by, held_since FROM conversations
       WHERE held_by IS NOT NULL ORDER BY held_since, id LIMIT $1`,
      [limit],
    )
    return rows.map((row) => ({
      conversationId: row.id,
      userId: row.user_id,
      heldBy: row.held_by,
      since: row.held_since,
    }))
  },

  /**
   * A person's message in the conversation: an assistant message with its author, which the
   * Worker's memory replays marked as the person's. Its id and time.
   */
  async personMessage(
    q: Queryable,
    message: { conversationId: string; author: string; authorName: string; text: string },
  ): Promise<{ id: string; createdAt: Date }> {
    const item = {
      type: 'message',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: personItemText(message.authorName, message.text) }],
    }
    const { rows } = await q.query<{ id: string; created_at: Date }>(
      `INSERT INTO messages (conversation_id, role, content, item, author)
       VALUES ($1, 'assistant', $2, $3::jsonb, $4) RETURNING id, created_at`,
      [message.conversationId, message.text, JSON.stringify(item), message.author],
    )
    const row = rows[0] as { id: string; created_at: Date }
    return { id: row.id, createdAt: row.created_at }
  },
}
