import { writeAudit } from '../../audit/audit-writer.ts'
import { conversations } from '../../memory/conversations.ts'
import { people } from '../../memory/people.ts'
import type { JobsPack } from '../../pack/jobs-contract.ts'
import type { Database, Queryable } from '../../store/database.ts'
import { JOB_ACTOR } from '../audited-task.ts'
import { enqueue } from '../job-queue.ts'
import { jobSubject } from '../job-turn.ts'
import { inboundEmails } from './inbound-emails.ts'
import { parseInbound } from './parse-inbound.ts'
import { checkSender } from './sender-verdict.ts'
import { emailThreads } from './threads.ts'

export interface EmailDoorOptions {
  db: Database
  pack: JobsPack | undefined
  limits: { maxBytes: number; maxRecipients: number }
  /** This server's name, as the receiving MTA in the authentication results. */
  mta: string
  /** DNS for DKIM/SPF/DMARC; unset: the system's (tests pass a fixed table). */
  resolver?: ((name: string, rrtype: string) => Promise<unknown>) | undefined
}

/** How an email arrived: the SMTP envelope, as our listener or the provider saw it. */
export interface Arrival {
  via: 'smtp' | 'http'
  mailFrom: string | null
  remoteIp: string | null
  helo: string | null
}

export const ANSWER_EMAIL = 'email:answer'

/**
 * Takes an email in: parsed (size-bound, quoted history and signature removed), its sender's
 * authentication checked and recorded, stored once by Message-ID, placed in its thread (by
 * In-Reply-To/References or the token in its subject, and only a thread of the record the sender
 * matched) or a new one, and a job queued to answer it, all in one transaction. A malformed or
 * oversized email is refused with a CallerError (the door that took it records the refusal).
 */
export async function receiveEmail(
  options: EmailDoorOptions,
  raw: Buffer,
  arrival: Arrival,
  /** Runs first in the transaction that takes the email (the replay check of its signature). */
  accepted?: (tx: Queryable) => Promise<void>,
): Promise<{ id: string; duplicate: boolean }> {
  const { db } = options
  const email = await parseInbound(raw, options.limits)
  const verdict = await checkSender(raw, {
    ip: arrival.remoteIp,
    helo: arrival.helo,
    mailFrom: arrival.mailFrom,
    mta: options.mta,
    ...(options.resolver === undefined ? {} : { resolver: options.resolver }),
  })
  return db.transaction(async (tx) => {
    await accepted?.(tx)
    const id = await inboundEmails.add(tx, {
      messageId: email.messageId,
      via: arrival.via,
      fromAddress: email.from.address,
      fromName: email.from.name,
      replyTo: email.replyTo,
      mailFrom: arrival.mailFrom,
      remoteIp: arrival.remoteIp,
      subject: email.subject,
      body: email.text,
      quotedChars: email.quotedChars,
      inReplyTo: email.inReplyTo,
      references: email.references,
      recipientsTrimmed: email.recipientsTrimmed,
      attachments: email.attachments,
      verdict,
    })
    if (id === undefined) {
      return { id: (await inboundEmails.idOf(tx, email.messageId)) ?? '', duplicate: true }
    }
    const record = await options.pack?.matchSender(tx, email.from.address)
    let conversationId: string | null = null
    if (record !== undefined) {
      const thread = await emailThreads.find(tx, email)
      // A thread about another record is not continued by this sender, whatever ids it quotes.
      if (thread !== undefined && thread.record === record.key) {
        conversationId = thread.conversationId
      } else {
        const sub = jobSubject(record)
        await people.seen(tx, { sub, ...(record.name === null ? {} : { name: record.name }) })
        conversationId = (await conversations.create(tx, sub, { channel: 'email' })).id
        await emailThreads.open(tx, {
          conversationId,
          record: record.key,
          replyTo: record.address,
          subject: email.subject,
        })
      }
      await emailThreads.remember(tx, email.messageId, conversationId)
    }
    await inboundEmails.place(tx, id, { record: record?.key ?? null, conversationId })
    await enqueue(tx, {
      task: ANSWER_EMAIL,
      payload: { trigger: 'email', inbound: id },
      // One conversation's emails are answered one at a time, in order.
      queue: conversationId === null ? undefined : `conversation:${conversationId}`,
      maxAttempts: 5,
      key: `email:${id}`,
    })
    await writeAudit(tx, {
      action: 'email_received',
      actor: JOB_ACTOR,
      target: `email:${id}`,
      conversationId,
      payload: {
        via: arrival.via,
        matched: record !== undefined,
        dkim: verdict.dkim,
        spf: verdict.spf,
        dmarc: verdict.dmarc,
        aligned: verdict.aligned,
        recipients_trimmed: email.recipientsTrimmed,
        quoted_chars: email.quotedChars,
        attachments: email.attachments.length,
      },
    })
    return { id, duplicate: false }
  })
}

/** An email or webhook refused at the door: one audit row saying why; nothing else is kept. */
export async function recordRefusal(
  db: Database,
  route: 'email' | 'webhook',
  reason: string,
  detail?: string,
): Promise<void> {
  await writeAudit(db, {
    action: 'inbound_refused',
    actor: `inbound:${route}`,
    payload: { route, reason, ...(detail === undefined ? {} : { detail: detail.slice(0, 500) }) },
  })
}
