import { SystemError } from '../lib/errors.ts'
import { conversations } from '../memory/conversations.ts'
import { people } from '../memory/people.ts'
import type { JobWork } from '../pack/jobs-contract.ts'
import { admitJob } from './admit-job.ts'
import type { TaskOutcome, TaskRun } from './audited-task.ts'
import type { AnswerDeps } from './email/answer-email.ts'
import { emailTurn } from './email/email-turn.ts'
import { emailThreads } from './email/threads.ts'
import { jobOnce } from './job-runs.ts'
import { jobSubject } from './job-turn.ts'

export const DO_WORK = 'work:run'

/**
 * Does what an event or a scheduled finding asks, as the Worker acting for the record it names,
 * under the trigger's envelope; the reply starts an email thread to the record's own address.
 * The conversation is opened once per `key`: a retry continues it.
 */
export async function doWork(
  deps: AnswerDeps,
  payload: unknown,
  run: TaskRun,
): Promise<TaskOutcome> {
  const { db } = deps
  const { key, work } = payload as { key: string; work: JobWork }
  const record = await deps.pack?.record(db, work.record)
  if (record === undefined) {
    return { status: 'handed_over', reason: 'unknown_record', detail: `no record ${work.record}` }
  }
  const admitted = await admitJob(db, run.trigger, deps.envelope(run.trigger), run.runId)
  if ('refused' in admitted) return admitted.refused
  const { envelope } = admitted
  const opened = await db.transaction(async (tx) => {
    const earlier = await jobOnce.state(tx, key)
    if (earlier.replied) return 'replied' as const
    if (earlier.conversationId !== null)
      return emailThreads.ofConversation(tx, earlier.conversationId)
    const sub = jobSubject(record)
    await people.seen(tx, { sub, ...(record.name === null ? {} : { name: record.name }) })
    const conversation = await conversations.create(tx, sub, {
      channel: 'email',
      trigger: run.trigger,
    })
    await jobOnce.open(tx, key, conversation.id)
    return emailThreads.open(tx, {
      conversationId: conversation.id,
      record: record.key,
      replyTo: record.address,
      subject: work.subject,
    })
  })
  // Replied before a crash or a stop: the reply is in the outbox, with its own send job.
  if (opened === 'replied') return { status: 'done', detail: 'replied already' }
  const thread = opened
  if (thread === undefined) throw new SystemError('failed', 'the job’s conversation has no thread')
  return emailTurn(deps, run, {
    envelope,
    record,
    thread,
    message: `[Work for you (${run.trigger}); your reply is emailed to the customer on record.]\n\n${work.message}`,
    answers: null,
    subject: work.subject,
    withReply: (tx) => jobOnce.replied(tx, key),
  })
}
