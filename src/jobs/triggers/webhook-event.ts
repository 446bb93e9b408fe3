import { InvalidInputError } from '../../lib/errors.ts'
import type { JobsPack } from '../../pack/jobs-contract.ts'
import type { Database, Queryable } from '../../store/database.ts'
import type { TaskOutcome, TaskRun } from '../audited-task.ts'
import type { AnswerDeps } from '../email/answer-email.ts'
import { enqueue } from '../job-queue.ts'
import { jobOnce } from '../job-runs.ts'
import { doWork } from '../record-work.ts'

export const WEBHOOK_EVENT = 'webhook:event'

/**
 * Takes a signed webhook event in: its data checked against the pack's schema for its kind, kept
 * once per (kind, id) however often it is posted, and a job queued for it, in one transaction.
 * `accepted` runs in that transaction first (the replay check of the signature's digest).
 */
export async function receiveWebhook(
  db: Database,
  pack: JobsPack | undefined,
  event: { kind: string; id: string; data: Record<string, unknown> },
  accepted?: (tx: Queryable) => Promise<void>,
): Promise<{ id: string; duplicate: boolean }> {
  const declared = pack?.webhooks?.find((w) => w.kind === event.kind)
  if (declared === undefined) {
    throw new InvalidInputError(`no webhook event of kind ${event.kind} is known here`)
  }
  const parsed = declared.data.safeParse(event.data)
  if (!parsed.success) {
    const first = parsed.error.issues[0]
    throw new InvalidInputError(
      `data.${first?.path.join('.') ?? ''}: ${first?.message ?? 'is not valid'} (event ${event.kind})`,
    )
  }
  const key = `webhook:${event.kind}:${event.id}`
  return db.transaction(async (tx) => {
    await accepted?.(tx)
    if (!(await jobOnce.claim(tx, key))) return { id: key, duplicate: true }
    await enqueue(tx, {
      task: WEBHOOK_EVENT,
      payload: { trigger: `webhook:${event.kind}`, kind: event.kind, key, data: parsed.data },
      maxAttempts: 5,
      key,
    })
    return { id: key, duplicate: false }
  })
}

/** The job of a webhook event: the pack turns it into work (or nothing), done as the Worker. */
export async function runWebhookEvent(
  deps: AnswerDeps,
  payload: unknown,
  run: TaskRun,
): Promise<TaskOutcome> {
  const { kind, key, data } = payload as {
    kind: string
    key: string
    data: Record<string, unknown>
  }
  const declared = deps.pack?.webhooks?.find((w) => w.kind === kind)
  if (declared === undefined) {
    return { status: 'handed_over', reason: 'unknown_event', detail: `no event kind ${kind}` }
  }
  const work = await deps.db.transaction((tx) => declared.work(tx, declared.data.parse(data)))
  if (work === undefined) return { status: 'done', detail: 'nothing for the Worker to do' }
  return doWork(deps, { key, work }, run)
}
