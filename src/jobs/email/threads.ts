import { randomInt } from 'node:crypto'
import type { Queryable } from '../../store/database.ts'

/** An email thread: the conversation it is, the record it concerns, where its replies go. */
export interface Thread {
  conversationId: string
  token: string
  record: string
  replyTo: string
  subject: string
}

const TOKEN = /\[ref:([A-Z0-9]{8})\]/
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'

/** The reference token a subject carries (`[ref:K7QX2M9P]`), if any. */
export function tokenIn(subject: string): string | undefined {
  return TOKEN.exec(subject)?.[1]
}

/** A reply's subject: `Re: ` once, and the thread's token once. */
export function replySubject(subject: string, token: string): string {
  const bare = subject.replace(TOKEN, '').replace(/\s+/g, ' ').trim()
  const re = /^re:/i.test(bare) ? bare : `Re: ${bare === '' ? '(no subject)' : bare}`
  return `${re} [ref:${token}]`
}

type ThreadRow = {
  conversation_id: string
  token: string
  record: string
  reply_to: string
  subject: string
}

const toThread = (row: ThreadRow): Thread => ({
  conversationId: row.conversation_id,
  token: row.token,
  record: row.record,
  replyTo: row.reply_to,
  subject: row.subject,
})

/** Email threads and the Message-IDs that name them (the tables `email_threads` and `email_thread_messages`). */
export const emailThreads = {
  /**
   * The thread an email continues: one of its In-Reply-To/References ids is a message of the
   * thread, or its subject carries the thread's token.
   */
  async find(
    q: Queryable,
    email: { inReplyTo: string | null; references: readonly string[]; subject: string },
  ): Promise<Thread | undefined> {
    const ids = [...(email.inReplyTo === null ? [] : [email.inReplyTo]), ...email.references]
    if (ids.length > 0) {
      const { rows } = await q.query<ThreadRow>(
        `SELECT t.conversation_id, t.token, t.record, t.reply_to, t.subject
         FROM email_thread_messages m JOIN email_threads t USING (conversation_id)
         WHERE m.message_id = ANY($1::text[])
         ORDER BY m.added_at DESC LIMIT 1`,
        [ids.slice(0, 100)],
      )
      if (rows[0] !== undefined) return toThread(rows[0])
    }
    const token = tokenIn(email.subject)
    if (token === undefined) return undefined
    const { rows } = await q.query<ThreadRow>(
      'SELECT conversation_id, token, record, reply_to, subject FROM email_threads WHERE token = $1',
      [token],
    )
    return rows[0] === undefined ? undefined : toThread(rows[0])
  },

  async ofConversation(q: Queryable, conversationId: string): Promise<Thread | undefined> {
    const { rows } = await q.query<ThreadRow>(
      `SELECT conversation_id, token, record, reply_to, subject FROM email_threads
       WHERE conversation_id = $1`,
      [conversationId],
    )
    return rows[0] === undefined ? undefined : toThread(rows[0])
  },

  /** Makes `conversationId` an email thread about `record`, its replies going to `replyTo`. */
  async open(
    q: Queryable,
    thread: { conversationId: string; record: string; replyTo: string; subject: string },
  ): Promise<Thread> {
    for (;;) {
      const token = Array.from({ length: 8 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('')
      const { rows } = await q.query<ThreadRow>(
        `INSERT INTO email_threads (conversation_id, token, record, reply_to, subject)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (token) DO NOTHING
         RETURNING conversation_id, token, record, reply_to, subject`,
        [thread.conversationId, token, thread.record, thread.replyTo, thread.subject.slice(0, 500)],
      )
      if (rows[0] !== undefined) return toThread(rows[0])
    }
  },

  /** Remembers a message of the thread, received or sent. */
  async remember(q: Queryable, messageId: string, conversationId: string): Promise<void> {
    await q.query(
      `INSERT INTO email_thread_messages (message_id, conversation_id) VALUES ($1, $2)
       ON CONFLICT (message_id) DO NOTHING`,
      [messageId, conversationId],
    )
  },

  /** The thread's latest Message-IDs, oldest first: a reply's References. */
  async references(q: Queryable, conversationId: string, limit = 20): Promise<string[]> {
    const { rows } = await q.query<{ message_id: string }>(
      `SELECT message_id FROM (
         SELECT message_id, added_at FROM email_thread_messages WHERE conversation_id = $1
         ORDER BY added_at DESC LIMIT $2
       ) latest ORDER BY added_at`,
      [conversationId, limit],
    )
    return rows.map((row) => row.message_id)
  },
}
