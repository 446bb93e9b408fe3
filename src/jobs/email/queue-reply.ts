import { writeAudit } from '../../audit/audit-writer.ts'
import type { Queryable } from '../../store/database.ts'
import { JOB_ACTOR } from '../audited-task.ts'
import { enqueue } from '../job-queue.ts'
import { newMessageId, outbox } from './outbox.ts'
import { emailThreads, replySubject, type Thread } from './threads.ts'

export const SEND_EMAIL = 'email:send'

/**
 * Writes a reply into the outbox, in the transaction that stores the Worker's reply: its
 * Message-ID drawn now and kept through every resend, its threading headers, to the thread's
 * address (the record's as it is now, never a Reply-To). Queued replies get their send job in the same
 * transaction; drafts wait in the staff inbox.
 */
export async function queueReply(
  tx: Queryable,
  reply: {
    conversationId: string
    inboundId: string | null
    thread: Thread
    /** The record's own address, read as the job ran (it may have changed since the thread began). */
    to: string
    /** The email it answers, or null for one that starts the thread. */
    inReplyTo: string | null
    subject: string
    text: string
    from: { address: string }
    mode: 'draft' | 'send'
    reason: string | null
    sending: boolean
    trigger: string
  },
): Promise<string> {
  const references = (await emailThreads.references(tx, reply.conversationId)).filter(
    (id) => id !== reply.inReplyTo,
  )
  const mail = await outbox.add(tx, {
    messageId: newMessageId(reply.from.address),
    conversationId: reply.conversationId,
    inboundId: reply.inboundId,
    to: reply.to,
    subject:
      reply.inReplyTo === null
        ? `${reply.subject} [ref:${reply.thread.token}]`
        : replySubject(reply.subject, reply.thread.token),
    body: reply.text,
    inReplyTo: reply.inReplyTo,
    references,
    status: reply.mode === 'send' ? 'queued' : 'draft',
    reason: reply.reason,
  })
  await emailThreads.remember(tx, mail.messageId, reply.conversationId)
  if (mail.status === 'queued' && reply.sending) await enqueueSend(tx, mail.id, reply.trigger)
  if (mail.status === 'draft') {
    await writeAudit(tx, {
      action: 'email_drafted',
      actor: JOB_ACTOR,
      conversationId: reply.conversationId,
      target: `outbox:${mail.id}`,
      payload: { reason: reply.reason ?? 'envelope', trigger: reply.trigger },
    })
  }
  return mail.id
}

/**
 * The send job of an outbox row: one per row (its key), however often it is asked for. Asked for
 * again at start-up while the job of a killed process still holds its lock, it adds nothing: that
 * job runs again once the lock is handed back, with the same Message-ID.
 */
export async function enqueueSend(tx: Queryable, outboxId: string, trigger: string): Promise<void> {
  await enqueue(tx, {
    task: SEND_EMAIL,
    payload: { trigger, outbox: outboxId },
    maxAttempts: 10,
    key: `send:${outboxId}`,
    keepExisting: true,
  })
}
