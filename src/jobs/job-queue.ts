import { runMigrations } from 'graphile-worker'
import pg from 'pg'
import type { Logger } from '../lib/logger.ts'
import type { Database, Queryable } from '../store/database.ts'
import { queueLogger } from './queue-logger.ts'

/** A job to add to the queue. */
export interface NewJob {
  task: string
  payload: Record<string, unknown>
  /** Jobs of one queue run one at a time, in order (one conversation's emails). */
  queue?: string | undefined
  /** Attempts before it is kept as failed; every retry waits longer (exp(attempt) seconds). */
  maxAttempts: number
  /** One job per key: adding it again while it waits replaces it. */
  key?: string | undefined
  /**
   * With `key`: adding it again while a job of that key exists (waiting, running, or its lock
   * held by a process that died) adds nothing. Otherwise a running one is left to finish, marked
   * as out of attempts, and a new one added: a second run, and a job kept as failed if the first
   * never finishes. For work that reads what to do when it runs (an outbox row to send).
   */
  keepExisting?: boolean | undefined
  runAt?: Date | undefined
}

/**
 * Adds a job in the caller's transaction: it exists only if that commits, so the email or event it
 * answers and the job to answer it land together. Returns its id.
 */
export async function enqueue(q: Queryable, job: NewJob): Promise<number> {
  const { rows } = await q.query<{ id: string }>(
    `SELECT (graphile_worker.add_job($1, $2::json, queue_name => $3, max_attempts => $4,
                                     job_key => $5, run_at => coalesce($6, now()),
                                     job_key_mode => $7)).id`,
    [
      job.task,
      JSON.stringify(job.payload),
      job.queue ?? null,
      job.maxAttempts,
      job.key ?? null,
      job.runAt ?? null,
      job.keepExisting === true ? 'unsafe_dedupe' : 'replace',
    ],
  )
  return Number(rows[0]?.id)
}

/**
 * Creates or updates the queue's own tables (graphile-worker's migrations, schema
 * `graphile_worker`) through the driver; every process that adds jobs needs them.
 */
export async function installQueue(db: Database, logger: Logger): Promise<void> {
  const driver = db.driverConfig?.()
  if (driver === undefined) throw new Error('the job queue needs a database it can reach by driver')
  const pgPool = new pg.Pool({ ...driver, max: 1, application_name: 'digital-fte (jobs setup)' })
  pgPool.on('error', () => {})
  pgPool.on('connect', (client) => client.on('error', () => {}))
  try {
    await runMigrations({ pgPool, logger: queueLogger(logger) })
  } finally {
    await pgPool.end().catch(() => {})
  }
}
