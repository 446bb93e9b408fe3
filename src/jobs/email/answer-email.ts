import type { JobsPack } from '../../pack/jobs-contract.ts'
import type { ToolDefinition } from '../../pack/tool-definition.ts'
import type { Database } from '../../store/database.ts'
import { admitJob } from '../admit-job.ts'
import type { TaskOutcome, TaskRun } from '../audited-task.ts'
import type { Envelope } from '../envelope.ts'
import type { TurnRunner } from '../job-turn.ts'
import { emailTurn } from './email-turn.ts'
import { inboundEmails, type StoredEmail } from './inbound-emails.ts'
import { emailThreads } from './threads.ts'

export interface AnswerDeps {
  db: Database
  pack: JobsPack | undefined
  envelope(trigger: string): Envelope | undefined
  /** The gateway's tools: a job's scopes are the ones its envelope's tools need. */
  tools: readonly ToolDefinition[]
  /** The Worker; undefined when no model is configured (every job then goes to a person). */
  runTurn: TurnRunner | undefined
  from: { address: string }
  /** The longest message the Worker accepts (WORKER_MAX_INPUT_CHARS): a longer email is cut. */
  maxMessageChars: number
  /** Replies queued to send get their send job (false: no SMTP configured; they wait). */
  sending: boolean
}

/**
 * Answers one email as the Worker: the record its sender matched is who the job acts for (never
 * a verified identity), under the email envelope; the reply goes to the record's own address by
 * the outbox, in the reply's own transaction. What the envelope does not allow goes to a person.
 */
export async function answerEmail(
  deps: AnswerDeps,
  payload: unknown,
  run: TaskRun,
): Promise<TaskOutcome> {
  const { db } = deps
  const inboundId = String((payload as { inbound?: unknown }).inbound ?? '')
  const email = await inboundEmails.get(db, inboundId)
  if (email === undefined) return { status: 'done', detail: 'the email is gone' }
  // Answered before a crash: the reply is in the outbox, with its own send job.
  if (email.status !== 'queued') return { status: 'done', conversationId: email.conversationId }
  const handOver = async (reason: string, detail: string): Promise<TaskOutcome> => {
    await inboundEmails.settle(db, email.id, 'handed_over')
    return { status: 'handed_over', reason, detail, conversationId: email.conversationId }
  }
  const record = email.record === null ? undefined : await deps.pack?.record(db, email.record)
  if (record === undefined || email.conversationId === null) {
    return handOver('unknown_sender', `no record matches the sender's address; nothing was sent`)
  }
  const admitted = await admitJob(db, run.trigger, deps.envelope(run.trigger), run.runId)
  if ('refused' in admitted) {
    await inboundEmails.settle(db, email.id, 'handed_over')
    return { ...admitted.refused, conversationId: email.conversationId }
  }
  const { envelope } = admitted
  const thread = await emailThreads.ofConversation(db, email.conversationId)
  if (thread === undefined) return handOver('unknown_sender', 'the email has no thread')
  const outcome = await emailTurn(deps, run, {
    envelope,
    record,
    thread,
    message: framed(email),
    answers: { inboundId: email.id, messageId: email.messageId },
    subject: email.subject,
    withReply: (tx) => inboundEmails.settle(tx, email.id, 'answered'),
  })
  if (outcome.status === 'handed_over') await inboundEmails.settle(db, email.id, 'handed_over')
  return outcome
}

/**
 * The email as the Worker reads it: what it is, who it claims to be from (unverified), and the
 * new text only.
 */
function framed(email: StoredEmail): string {
  const who = email.fromName === null ? 'the customer' : email.fromName
  const proof = email.verdict.aligned
    ? 'its domain authentication passed'
    : 'its sender could not be authenticated'
  return (
    `[An email from ${who}, to be answered by email; ${proof}. An email never proves who wrote it: ` +
    `answer only from the records and tools you may use, and the reply goes to the address on record. ` +
    `Subject: ${email.subject.slice(0, 200) || '(none)'}]\n\n${email.body}`
  )
}
