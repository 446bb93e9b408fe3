import { openMigratedDatabase } from '../../app/open-migrated-database.ts'
import { writeAudit } from '../../audit/audit-writer.ts'
import { jobAdmin, type QueuedJob } from '../../jobs/job-admin.ts'
import { jobRuns } from '../../jobs/job-runs.ts'
import { ConflictError } from '../../lib/errors.ts'
import { plural } from '../../lib/words.ts'
import type { Queryable } from '../../store/database.ts'
import { type CliContext, loadRuntime } from '../cli-context.ts'
import { age } from './inbox.ts'
import { operator } from './seed.ts'

const NOT_INSTALLED =
  "The job queue's tables do not exist yet: no `fte serve` has started on this database " +
  '(the first one creates them), so no job has been queued.'

/**
 * `fte jobs`: the queue as an operator reads it: a summary, every job still in it, runs handed to
 * a person and not yet dealt with, and the last runs that ended (the queue forgets a job once it
 * succeeds; `job_runs` keeps each run).
 */
export async function jobsListCommand(
  context: CliContext,
  options: { failed?: boolean; runs: number; json?: boolean },
): Promise<number> {
  const runtime = loadRuntime(context)
  const db = await openMigratedDatabase(runtime)
  try {
    if (!(await jobAdmin.installed(db))) {
      context.stdout.write(
        options.json === true
          ? `${JSON.stringify({ installed: false }, null, 2)}\n`
          : `${NOT_INSTALLED}\n`,
      )
      return 0
    }
    const summary = await jobAdmin.depth(db)
    const jobs = await jobAdmin.list(db, { failedOnly: options.failed === true })
    const handedOver = await jobRuns.handedOver(db)
    const runs = await jobRuns.recent(db, options.runs)
    if (options.json === true) {
      const report = { installed: true, summary, jobs, handedOver, runs }
      context.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
      return 0
    }
    const out = (line = '') => context.stdout.write(`${line}\n`)
    // Jobs due later wait too, but are not late: only a due one has an age worth saying.
    const oldest =
      summary.oldestSeconds < 1
        ? ''
        : `; the oldest due has waited ${age(summary.oldestSeconds * 1000)}`
    out(
      `Jobs on ${db.description}: ${summary.waiting} waiting, ${summary.running} running, ` +
        `${summary.failed} failed${oldest}.`,
    )
    out()
    if (jobs.length === 0) {
      out(options.failed === true ? 'No failed job.' : 'The queue is empty.')
    } else {
      const head = ['ID', 'TASK', 'TRIGGER', 'STATE', 'TRIES', 'RUN AT (UTC)', 'LAST ERROR']
      out(table([head, ...jobs.map(jobRow)]))
    }
    if (handedOver.length > 0) {
      out()
      out('Handed to a person, not yet dealt with (the staff inbox of the web UI deals with them):')
      for (const run of handedOver) {
        out(
          `  run ${run.id}  ${stamp(run.startedAt)}  ${run.trigger}  ${run.reason ?? ''}  ${short(run.detail)}`,
        )
      }
    }
    if (runs.length > 0) {
      out()
      out(`The last ${plural(runs.length, 'run')} that ended, the latest first:`)
      const rows = runs.map((run) => [
        stamp(run.finishedAt),
        `job ${run.jobId}`,
        run.task,
        `attempt ${run.attempt}`,
        run.reason === null || run.reason === run.status
          ? run.status
          : `${run.status}: ${run.reason}`,
        run.status === 'failed' ? short(run.detail) : '',
      ])
      out(table(rows, '  '))
    }
    if (jobs.some((job) => job.state !== 'running')) {
      out()
      out('Run one again now: npm run fte -- jobs retry <id>')
      out('Take one out:      npm run fte -- jobs cancel <id>')
    }
    return 0
  } finally {
    await db.close()
  }
}

/**
 * `fte jobs retry <id>` and `fte jobs cancel <id>`: one job, in one transaction with its audit row,
 * as the staff inbox's buttons do; a job that is not in the queue, or running now, is refused.
 */
export async function jobActionCommand(
  context: CliContext,
  action: 'retry' | 'cancel',
  id: number,
): Promise<number> {
  const runtime = loadRuntime(context)
  const db = await openMigratedDatabase(runtime)
  try {
    if (!(await jobAdmin.installed(db))) throw new ConflictError(`No job ${id}. ${NOT_INSTALLED}`)
    await db.transaction(async (tx) => {
      if (!(await act(tx, action, id))) {
        throw new ConflictError(
          `Job ${id} is not in the queue, or it is running now: only a waiting or failed job can ` +
            `be ${action === 'retry' ? 'retried' : 'cancelled'} (fte jobs lists them).`,
        )
      }
      await writeAudit(tx, {
        action: action === 'retry' ? 'job_retried' : 'job_cancelled',
        actor: operator(),
        target: `job:${id}`,
        payload: {},
      })
    })
    context.stdout.write(
      action === 'retry'
        ? `Job ${id} will run again now, its attempts counted from zero.\n`
        : `Job ${id} was taken out of the queue: it will not run.\n`,
    )
    return 0
  } finally {
    await db.close()
  }
}

function act(tx: Queryable, action: 'retry' | 'cancel', id: number): Promise<boolean> {
  return action === 'retry' ? jobAdmin.retry(tx, id) : jobAdmin.cancel(tx, id)
}

function jobRow(job: QueuedJob): string[] {
  return [
    String(job.id),
    job.task,
    job.trigger ?? '',
    job.state,
    `${job.attempts}/${job.maxAttempts}`,
    // graphile-worker moves a failed job's run_at on by its backoff even after the last attempt.
    job.state === 'failed' ? '-' : stamp(job.runAt),
    short(job.lastError),
  ]
}

/** Columns padded to their widest cell; `indent` before each line. */
function table(rows: string[][], indent = ''): string {
  const widths = (rows[0] ?? []).map((_, i) =>
    Math.max(...rows.map((row) => (row[i] ?? '').length)),
  )
  return rows
    .map(
      (row) =>
        indent +
        row
          .map((cell, i) => cell.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd(),
    )
    .join('\n')
}

/** An error or a reason on one line, cut to fit a terminal. */
function short(text: string | null): string {
  const line = (text ?? '').replace(/\s+/g, ' ').trim()
  return line.length > 72 ? `${line.slice(0, 71)}…` : line
}

/** `2026-12-05 08:04:13`, in UTC. */
function stamp(date: Date): string {
  return new Date(date).toISOString().slice(0, 19).replace('T', ' ')
}
