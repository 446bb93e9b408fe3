import { randomUUID } from 'node:crypto'
import type { Queryable } from '../../store/database.ts'

export type OutboxStatus = 'draft' | 'queued' | 'sent' | 'discarded' | 'failed'

/** A reply to send, or sent. */
export interface OutboxMail {
  id: string
  messageId: string
  conversationId: string
  inboundId: string | null
  to: string
  subject: string
  body: string
  inReplyTo: string | null
  references: string[]
  status: OutboxStatus
  reason: string | null
  attempts: number
  createdAt: Date
}

type OutboxRow = {
  id: string
  message_id: string
  conversation_id: string
  inbound_id: string | null
  to_address: string
  subject: string
  body: string
  in_reply_to: string | null
  refs: string[]
  status: OutboxStatus
  reason: string | null
  attempts: number
  created_at: Date
}

const COLUMNS = `id, message_id, conversation_id, inbound_id, to_address, subject, body, in_reply_to,
  refs, status, reason, attempts, created_at`

const toMail = (row: OutboxRow): OutboxMail => ({
  id: row.id,
  messageId: row.message_id,
  conversationId: row.conversation_id,
  inboundId: row.inbound_id,
  to: row.to_address,
  subject: row.subject,
  body: row.body,
  inReplyTo: row.in_reply_to,
  references: row.refs,
  status: row.status,
  reason: row.reason,
  attempts: row.attempts,
  createdAt: row.created_at,
})

/** A Message-ID of ours: drawn once, when the reply is written, and kept through every resend. */
export function newMessageId(fromAddress: string): string {
  const domain = fromAddress.split('@')[1] ?? 'localhost'
  return `<${randomUUID()}@${domain}>`
}

/** Replies by email, written in the transaction that stores the reply (the table `email_outbox`). */
export const outbox = {
  async add(
    q: Queryable,
    mail: Omit<OutboxMail, 'id' | 'status' | 'attempts' | 'createdAt'> & {
      status: 'draft' | 'queued'
    },
  ): Promise<OutboxMail> {
    const { rows } = await q.query<OutboxRow>(
      `INSERT INTO email_outbox (message_id, conversation_id, inbound_id, to_address, subject, body,
                                 in_reply_to, refs, status, reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text[], $9, $10) RETURNING ${COLUMNS}`,
      [
        mail.messageId,
        mail.conversationId,
        mail.inboundId,
        mail.to,
        mail.subject,
        mail.body,
        mail.inReplyTo,
        mail.references,
        mail.status,
        mail.reason,
      ],
    )
    return toMail(rows[0] as OutboxRow)
  },

  async get(q: Queryable, id: string): Promise<OutboxMail | undefined> {
    const { rows } = await q.query<OutboxRow>(`SELECT ${COLUMNS} FROM email_outbox WHERE id = $1`, [
      id,
    ])
    return rows[0] === undefined ? undefined : toMail(rows[0])
  },

  /** An attempt to send is starting: counted before it, so a crash mid-send still shows. */
  async attempt(q: Queryable, id: string): Promise<void> {
    await q.query('UPDATE email_outbox SET attempts = attempts + 1 WHERE id = $1', [id])
  },

  async sent(q: Queryable, id: string): Promise<void> {
    await q.query(
      `UPDATE email_outbox SET status = 'sent', sent_at = now(), last_error = NULL
       WHERE id = $1 AND status IN ('queued', 'failed')`,
      [id],
    )
  },

  async failed(q: Queryable, id: string, error: string, final: boolean): Promise<void> {
    await q.query(
      `UPDATE email_outbox SET last_error = left($2, 2000),
         status = CASE WHEN $3::boolean THEN 'failed' ELSE status END
       WHERE id = $1`,
      [id, error, final],
    )
  },

  /** Drafts waiting for staff, the oldest first. */
  async drafts(q: Queryable, limit = 200): Promise<OutboxMail[]> {
    const { rows } = await q.query<OutboxRow>(
      `SELECT ${COLUMNS} FROM email_outbox WHERE status = 'draft' ORDER BY created_at, id LIMIT $1`,
      [limit],
    )
    return rows.map(toMail)
  },

  /** Replies queued to send (after a restart, each gets its send job again). */
  async queued(q: Queryable, limit = 1000): Promise<string[]> {
    const { rows } = await q.query<{ id: string }>(
      `SELECT id FROM email_outbox WHERE status = 'queued' ORDER BY created_at LIMIT $1`,
      [limit],
    )
    return rows.map((row) => row.id)
  },

  /**
   * A person's decision on a draft: queued to send (with their edit of the text, if any), or
   * discarded. Undefined when it is no longer a draft (someone decided first).
   */
  async decide(
    q: Queryable,
    id: string,
    decision: { send: boolean; by: string; body?: string | undefined },
  ): Promise<OutboxMail | undefined> {
    const { rows } = await q.query<OutboxRow>(
      `UPDATE email_outbox SET status = $2, decided_by = $3, body = coalesce($4, body)
       WHERE id = $1 AND status = 'draft' RETURNING ${COLUMNS}`,
      [id, decision.send ? 'queued' : 'discarded', decision.by, decision.body ?? null],
    )
    return rows[0] === undefined ? undefined : toMail(rows[0])
  },
}
