import type { JobsPack } from '../../pack/jobs-contract.ts'
import type { Database } from '../../store/database.ts'
import type { TaskOutcome, TaskRun } from '../audited-task.ts'
import { enqueue } from '../job-queue.ts'
import { jobOnce } from '../job-runs.ts'
import { DO_WORK } from '../record-work.ts'

export const RUN_SCHEDULE = 'schedule:run'

/**
 * A pack schedule's turn: what it finds now, each finding queued as a job of its own, once per
 * finding however often the schedule runs (its key), in one transaction.
 */
export async function runSchedule(
  db: Database,
  pack: JobsPack | undefined,
  payload: unknown,
  run: TaskRun,
): Promise<TaskOutcome> {
  const name = String((payload as { schedule?: unknown }).schedule ?? '')
  const schedule = pack?.schedules?.find((s) => s.name === name)
  if (schedule === undefined) return { status: 'done', detail: `no schedule ${name}` }
  const { found, queued } = await db.transaction(async (tx) => {
    const findings = await schedule.find(tx, new Date())
    let fresh = 0
    for (const finding of findings) {
      const key = `${run.trigger}:${finding.key}`
      if (!(await jobOnce.claim(tx, key))) continue
      fresh += 1
      await enqueue(tx, {
        task: DO_WORK,
        payload: {
          trigger: run.trigger,
          key,
          work: { record: finding.record, message: finding.message, subject: finding.subject },
        },
        maxAttempts: 5,
        key,
      })
    }
    return { found: findings.length, queued: fresh }
  })
  return { status: 'done', detail: `${found} found, ${queued} new queued` }
}

/** The schedule's trigger, from its cron job's payload. */
export function scheduleTrigger(payload: unknown): string {
  return `schedule:${String((payload as { schedule?: unknown }).schedule ?? '')}`
}
