import type { Queryable } from '../../store/database.ts'

/** The sender's authentication as checked on arrival: DKIM, SPF, DMARC, and whether it aligned. */
export interface StoredVerdict {
  dkim: string
  spf: string
  dmarc: string
  aligned: boolean
  domain: string | null
}

export interface StoredEmail {
  id: string
  messageId: string
  fromAddress: string
  fromName: string | null
  subject: string
  body: string
  verdict: StoredVerdict
  record: string | null
  conversationId: string | null
  status: 'queued' | 'answered' | 'handed_over'
}

/** Emails received (the table `inbound_emails`), one row per Message-ID. */
export const inboundEmails = {
  /** Stores an email; undefined when one with its Message-ID was stored already (a re-delivery). */
  async add(
    q: Queryable,
    email: {
      messageId: string
      via: 'smtp' | 'http'
      fromAddress: string
      fromName: string | null
      replyTo: string | null
      mailFrom: string | null
      remoteIp: string | null
      subject: string
      body: string
      quotedChars: number
      inReplyTo: string | null
      references: readonly string[]
      recipientsTrimmed: number
      attachments: ReadonlyArray<{ filename: string | null; contentType: string; size: number }>
      verdict: StoredVerdict
    },
  ): Promise<string | undefined> {
    const { rows } = await q.query<{ id: string }>(
      `INSERT INTO inbound_emails (message_id, via, from_address, from_name, reply_to, mail_from,
         remote_ip, subject, body, quoted_chars, in_reply_to, refs, recipients_trimmed, attachments,
         verdict)
       VALUES ($1, $2, left($3, 320), left($4, 320), left($5, 320), left($6, 320), left($7, 64), $8,
               $9, $10, $11, $12::text[], $13, $14::jsonb, $15::jsonb)
       ON CONFLICT (message_id) DO NOTHING RETURNING id`,
      [
        email.messageId,
        email.via,
        email.fromAddress,
        email.fromName,
        email.replyTo,
        email.mailFrom,
        email.remoteIp,
        email.subject,
        email.body,
        email.quotedChars,
        email.inReplyTo,
        [...email.references],
        email.recipientsTrimmed,
        JSON.stringify(email.attachments),
        JSON.stringify(email.verdict),
      ],
    )
    return rows[0]?.id
  },

  async idOf(q: Queryable, messageId: string): Promise<string | undefined> {
    const { rows } = await q.query<{ id: string }>(
      'SELECT id FROM inbound_emails WHERE message_id = $1',
      [messageId],
    )
    return rows[0]?.id
  },

  /** What the sender matched, and the conversation it went to. */
  async place(
    q: Queryable,
    id: string,
    placed: { record: string | null; conversationId: string | null },
  ): Promise<void> {
    await q.query('UPDATE inbound_emails SET record = $2, conversation_id = $3 WHERE id = $1', [
      id,
      placed.record,
      placed.conversationId,
    ])
  },

  async get(q: Queryable, id: string): Promise<StoredEmail | undefined> {
    const { rows } = await q.query<{
      id: string
      message_id: string
      from_address: string
      from_name: string | null
      subject: string
      body: string
      verdict: StoredVerdict
      record: string | null
      conversation_id: string | null
      status: StoredEmail['status']
    }>(
      `SELECT id, message_id, from_address, from_name, subject, body, verdict, record,
              conversation_id, status
       FROM inbound_emails WHERE id = $1`,
      [id],
    )
    const row = rows[0]
    if (row === undefined) return undefined
    return {
      id: row.id,
      messageId: row.message_id,
      fromAddress: row.from_address,
      fromName: row.from_name,
      subject: row.subject,
      body: row.body,
      verdict: row.verdict,
      record: row.record,
      conversationId: row.conversation_id,
      status: row.status,
    }
  },

  async settle(q: Queryable, id: string, status: 'answered' | 'handed_over'): Promise<void> {
    await q.query(`UPDATE inbound_emails SET status = $2 WHERE id = $1 AND status = 'queued'`, [
      id,
      status,
    ])
  },
}
