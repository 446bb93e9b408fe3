import { writeAudit } from '../audit/audit-writer.ts'
import { errorMessage, FteError } from '../lib/errors.ts'
import type { Logger } from '../lib/logger.ts'
import type { Database } from '../store/database.ts'
import type { JobTask, RunningJob } from './job-engine.ts'
import { jobRuns, type RunEnd } from './job-runs.ts'

/** What a task reports when it did not throw: done, or handed to a person with the reason. */
export type TaskOutcome = Omit<RunEnd, 'status'> & { status: 'done' | 'handed_over' }

/** What an audited task's body gets: the job, and the run being recorded. */
export interface TaskRun {
  job: RunningJob
  runId: number
  trigger: string
}

export const JOB_ACTOR = 'system:jobs'

/**
 * A task whose every run is recorded: a `job_runs` row and a `job_started` audit row before the
 * body runs, then `job_finished`, `job_handed_over` or `job_failed` with what it spent. A body that
 * throws fails the attempt: the queue tries again later, and after the last attempt keeps the job
 * as failed with its error.
 */
export function auditedTask(
  db: Database,
  logger: Logger,
  trigger: (payload: unknown) => string,
  body: (payload: unknown, run: TaskRun) => Promise<TaskOutcome>,
): JobTask {
  return async (payload, job) => {
    const named = trigger(payload)
    const target = `job:${job.id}`
    const runId = await db.transaction(async (tx) => {
      const id = await jobRuns.begin(tx, {
        jobId: job.id,
        attempt: job.attempt,
        task: job.task,
        trigger: named,
        about: aboutOf(payload),
      })
      await writeAudit(tx, {
        action: 'job_started',
        actor: JOB_ACTOR,
        target,
        payload: { task: job.task, trigger: named, attempt: job.attempt, run: id },
      })
      return id
    })
    let outcome: TaskOutcome
    try {
      outcome = await body(payload, { job, runId, trigger: named })
    } catch (error) {
      const code = error instanceof FteError ? error.code : 'failed'
      const last = job.attempt >= job.maxAttempts
      await db
        .transaction(async (tx) => {
          await jobRuns.end(tx, runId, {
            status: 'failed',
            reason: safeCode(code),
            detail: errorMessage(error),
          })
          await writeAudit(tx, {
            action: 'job_failed',
            actor: JOB_ACTOR,
            target,
            payload: {
              task: job.task,
              trigger: named,
              attempt: job.attempt,
              run: runId,
              code,
              // The queue keeps it as failed after the last attempt; before, it tries again.
              final: last,
            },
          })
        })
        .catch((failure: unknown) =>
          logger.warn(
            { err: errorMessage(failure), job: job.id },
            'a failed job could not be recorded',
          ),
        )
      logger.warn(
        { job: job.id, task: job.task, attempt: job.attempt, of: job.maxAttempts, code },
        last
          ? 'a job failed for the last time and is kept as failed'
          : 'a job failed and will be tried again',
      )
      throw error
    }
    await db.transaction(async (tx) => {
      await jobRuns.end(tx, runId, outcome)
      await writeAudit(tx, {
        action: outcome.status === 'done' ? 'job_finished' : 'job_handed_over',
        actor: JOB_ACTOR,
        target,
        conversationId: outcome.conversationId ?? null,
        payload: {
          task: job.task,
          trigger: named,
          attempt: job.attempt,
          run: runId,
          ...(outcome.reason === undefined ? {} : { reason: outcome.reason }),
          input_tokens: outcome.inputTokens ?? 0,
          output_tokens: outcome.outputTokens ?? 0,
          steps: outcome.steps ?? 0,
        },
      })
    })
  }
}

function safeCode(code: string): string {
  return /^[a-z][a-z0-9_]*$/.test(code) ? code : 'failed'
}

/** What a job's payload says it works on: an inbound email, or an event's or finding's key. */
function aboutOf(payload: unknown): string | null {
  const fields = (payload ?? {}) as { inbound?: unknown; key?: unknown; outbox?: unknown }
  if (typeof fields.inbound === 'string') return `email:${fields.inbound}`
  if (typeof fields.outbox === 'string') return `outbox:${fields.outbox}`
  return typeof fields.key === 'string' ? fields.key.slice(0, 400) : null
}
