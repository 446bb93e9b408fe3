import { writeAudit } from '../../audit/audit-writer.ts'
import { CallerError } from '../../lib/errors.ts'
import type { Database } from '../../store/database.ts'
import { JOB_ACTOR, type TaskOutcome, type TaskRun } from '../audited-task.ts'
import { outbox } from './outbox.ts'
import { EmailSendError, type SmtpSender } from './smtp-sender.ts'

/**
 * Sends one outbox row over SMTP with the Message-ID drawn when it was written. A crash after the
 * server accepted it and before it was marked sent sends it again with the same Message-ID, which
 * the receiver counts once. A transient failure is retried with backoff; a permanent refusal marks
 * the reply failed and goes to a person.
 */
export async function sendEmail(
  db: Database,
  sender: SmtpSender,
  payload: unknown,
  run: TaskRun,
): Promise<TaskOutcome> {
  const id = String((payload as { outbox?: unknown }).outbox ?? '')
  const mail = await outbox.get(db, id)
  // A reply that failed for good is sent again only when a person asked (the job retried).
  if (mail === undefined || (mail.status !== 'queued' && mail.status !== 'failed')) {
    return {
      status: 'done',
      detail: mail === undefined ? 'the reply is gone' : `it is ${mail.status}`,
    }
  }
  await outbox.attempt(db, id)
  try {
    await sender.send({
      messageId: mail.messageId,
      to: mail.to,
      subject: mail.subject,
      text: mail.body,
      inReplyTo: mail.inReplyTo,
      references: mail.references,
    })
  } catch (error) {
    // The server refused it for good, or the reply itself cannot be sent as it is.
    const permanent =
      (error instanceof EmailSendError && !error.retryable) || error instanceof CallerError
    const final = permanent || run.job.attempt >= run.job.maxAttempts
    await outbox.failed(db, id, (error as Error).message, final)
    if (!permanent) throw error
    return {
      status: 'handed_over',
      reason: 'email_rejected',
      detail: `the mail server refused the reply for good: ${(error as Error).message}`,
      conversationId: mail.conversationId,
    }
  }
  await db.transaction(async (tx) => {
    await outbox.sent(tx, id)
    await writeAudit(tx, {
      action: 'email_sent',
      actor: JOB_ACTOR,
      conversationId: mail.conversationId,
      target: `outbox:${id}`,
      payload: { message_id: mail.messageId, to: mail.to, attempt: run.job.attempt },
    })
  })
  return { status: 'done', conversationId: mail.conversationId }
}
