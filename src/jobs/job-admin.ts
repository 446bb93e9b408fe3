import type { Queryable } from '../store/database.ts'

/** A job in the queue, as an operator sees it. */
export interface QueuedJob {
  id: number
  task: string
  queue: string | null
  /** `waiting`, `running`, `retrying` (failed, tried again at runAt) or `failed` (attempts used up). */
  state: 'waiting' | 'running' | 'retrying' | 'failed'
  attempts: number
  maxAttempts: number
  runAt: Date
  lastError: string | null
  trigger: string | null
  createdAt: Date
}

type JobRow = {
  id: string
  task_identifier: string
  queue_name: string | null
  attempts: number
  max_attempts: number
  run_at: Date
  last_error: string | null
  locked_at: Date | null
  trigger: string | null
  created_at: Date
}

const stateOf = (row: JobRow): QueuedJob['state'] =>
  row.locked_at !== null
    ? 'running'
    : row.attempts >= row.max_attempts
      ? 'failed'
      : row.attempts > 0
        ? 'retrying'
        : 'waiting'

/**
 * What operators do with the queue (graphile-worker's view and functions): list its jobs, try a
 * failed one again, cancel one. A job that succeeded leaves the queue; its runs stay in job_runs.
 */
export const jobAdmin = {
  /** Whether the queue's tables exist: a process that runs or adds jobs creates them (`fte serve`). */
  async installed(q: Queryable): Promise<boolean> {
    const { rows } = await q.query<{ installed: boolean }>(
      `SELECT to_regclass('graphile_worker.jobs') IS NOT NULL AS installed`,
    )
    return rows[0]?.installed === true
  },

  async list(
    q: Queryable,
    options: { failedOnly?: boolean; limit?: number } = {},
  ): Promise<QueuedJob[]> {
    const { rows } = await q.query<JobRow>(
      // The view leaves the payload out; the trigger is read from the job's own row.
      `SELECT j.id, j.task_identifier, j.queue_name, j.attempts, j.max_attempts, j.run_at,
              left(j.last_error, 500) AS last_error, j.locked_at,
              p.payload->>'trigger' AS trigger, j.created_at
       FROM graphile_worker.jobs j JOIN graphile_worker._private_jobs p ON p.id = j.id
       WHERE NOT $1::boolean OR (j.attempts >= j.max_attempts AND j.locked_at IS NULL)
       ORDER BY j.created_at, j.id LIMIT $2`,
      [options.failedOnly === true, options.limit ?? 200],
    )
    return rows.map((row) => ({
      id: Number(row.id),
      task: row.task_identifier,
      queue: row.queue_name,
      state: stateOf(row),
      attempts: row.attempts,
      maxAttempts: row.max_attempts,
      runAt: row.run_at,
      lastError: row.last_error,
      trigger: row.trigger,
      createdAt: row.created_at,
    }))
  },

  /** Runs a job again now with its attempts reset; false when no such job waits (or it runs). */
  async retry(q: Queryable, id: number): Promise<boolean> {
    const { rows } = await q.query(
      `SELECT id FROM graphile_worker.reschedule_jobs(ARRAY[$1::bigint], run_at => now(),
                                                      attempts => 0)
       WHERE locked_at IS NULL`,
      [id],
    )
    return rows.length > 0
  },

  /** Takes a job out of the queue (a running one cannot be); false when there was none. */
  async cancel(q: Queryable, id: number): Promise<boolean> {
    const { rows } = await q.query(
      'SELECT id FROM graphile_worker.complete_jobs(ARRAY[$1::bigint])',
      [id],
    )
    return rows.length > 0
  },

  /**
   * Jobs waiting, running and failed, and how long the oldest due job has waited, for the console
   * and metrics. A running job is neither waiting nor failed: its attempts were counted when it was
   * taken, so one on its last attempt would otherwise count as failed.
   */
  async depth(
    q: Queryable,
  ): Promise<{ waiting: number; running: number; failed: number; oldestSeconds: number }> {
    const { rows } = await q.query<{
      waiting: number
      running: number
      failed: number
      oldest: number | null
    }>(
      `SELECT count(*) FILTER (WHERE locked_at IS NULL AND attempts < max_attempts)::int AS waiting,
              count(*) FILTER (WHERE locked_at IS NOT NULL)::int AS running,
              count(*) FILTER (WHERE locked_at IS NULL AND attempts >= max_attempts)::int AS failed,
              extract(epoch FROM now() - min(run_at) FILTER (WHERE attempts < max_attempts
                                                              AND locked_at IS NULL))::float8 AS oldest
       FROM graphile_worker.jobs`,
    )
    const row = rows[0]
    return {
      waiting: row?.waiting ?? 0,
      running: row?.running ?? 0,
      failed: row?.failed ?? 0,
      oldestSeconds: Math.max(0, row?.oldest ?? 0),
    }
  },
}
