import { SystemError } from '../lib/errors.ts'
import { conversations } from '../memory/conversations.ts'
import { people } from '../memory/people.ts'
import type { JobWork } from '../pack/jobs-contract.ts'
import { admitJob } from './admit-job.ts'
import type { TaskOutcome, TaskRun } from './audited-task.ts'
import type { AnswerDeps } from './email/answer-email.ts'
import { emailTurn } from './email/email-turn.ts'
import { emailThreads } from './email/threads.ts'
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
  const admitted = await admitJob(db, run.trigger, deps.envelope(run.trigger))
  if ('refused' in admitted) return admitted.refused
  const { envelope } = admitted
  const thread = await db.transaction(async (tx) => {
    const { rows } = await tx.query<{ conversation_id: string | null }>(
      'SELECT conversation_id FROM job_once WHERE key = $1 FOR UPDATE',
      [key],
    )
    const opened = rows[0]?.conversation_id
    if (opened != null) return emailThreads.ofConversation(tx, opened)
    const sub = jobSubject(record)
    await people.seen(tx, { sub, ...(record.name === null ? {} : { name: record.name }) })
    const conversation = await conversations.create(tx, sub, {
      channel: 'email',
      trigger: run.trigger,
    })
    await tx.query(
      `INSERT INTO job_once (key, conversation_id) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET conversation_id = EXCLUDED.conversation_id`,
      [key, conversation.id],
    )
    return emailThreads.open(tx, {
      conversationId: conversation.id,
      record: record.key,
      replyTo: record.address,
      subject: work.subject,
    })
  })
  if (thread === undefined) throw new SystemError('failed', 'the job’s conversation has no thread')
  return emailTurn(deps, run, {
    envelope,
    record,
    thread,
    message: `[Work for you (${run.trigger}); your reply is emailed to the customer on record.]\n\n${work.message}`,
    answers: null,
    subject: work.subject,
  })
}
