import { hostname } from 'node:os'
import { writeAudit } from '../audit/audit-writer.ts'
import { errorMessage } from '../lib/errors.ts'
import type { Logger } from '../lib/logger.ts'
import type { Database } from '../store/database.ts'

export interface LivenessOptions {
  logger: Logger
  heartbeatMs: number
  staleAfterMs: number
  /** Hands the jobs locked by these (dead) worker pools back to the queue. */
  unlock(poolIds: string[]): Promise<void>
}

/**
 * Which job-running processes are alive. graphile-worker frees a dead process's locks only after
 * four hours; here each process says it is alive every few seconds (`job_engines`), and every
 * process hands back the jobs of one that has been silent for `staleAfterMs`, so a job whose
 * process was killed runs again within a minute, on whichever process is left or comes back.
 */
export class EngineLiveness {
  readonly #db: Database
  readonly #options: LivenessOptions
  readonly #pools = new Set<string>()
  #timer: NodeJS.Timeout | undefined
  #beating: Promise<void> | undefined

  constructor(db: Database, options: LivenessOptions) {
    this.#db = db
    this.#options = options
  }

  /** A worker pool of this process: alive from now until this stops. */
  register(poolId: string): void {
    this.#pools.add(poolId)
    this.#say().catch((error: unknown) => this.#warn(error))
  }

  /**
   * Says this process's pools are alive: an upsert, so a row lost (a failed first write, or
   * another process that thought us dead after a long stall) is written again.
   */
  #say(): Promise<unknown> {
    if (this.#pools.size === 0) return Promise.resolve()
    return this.#db.query(
      `INSERT INTO job_engines (pool_id, pid, host)
       SELECT pool, $2, $3 FROM unnest($1::text[]) AS pool
       ON CONFLICT (pool_id) DO UPDATE SET seen_at = now()`,
      [[...this.#pools], process.pid, hostname().slice(0, 255)],
    )
  }

  start(): void {
    const beat = () => {
      this.#beating = this.beat()
        .catch((error: unknown) => this.#warn(error))
        .finally(() => {
          if (this.#timer !== undefined) this.#timer = setTimeout(beat, this.#options.heartbeatMs)
        })
    }
    this.#timer = setTimeout(beat, this.#options.heartbeatMs)
  }

  /** Says this process is alive, then frees what silent ones hold. */
  async beat(): Promise<void> {
    const stale = `${Math.ceil(this.#options.staleAfterMs)} milliseconds`
    await this.#say()
    const { rows } = await this.#db.query<{ locked_by: string }>(
      `SELECT DISTINCT locked_by FROM (
         SELECT locked_by, locked_at FROM graphile_worker._private_jobs WHERE locked_by IS NOT NULL
         UNION ALL
         SELECT locked_by, locked_at FROM graphile_worker._private_job_queues
         WHERE locked_by IS NOT NULL
       ) locks
       WHERE locked_at < now() - $1::interval
         AND locks.locked_by <> ALL($2::text[])
         AND NOT EXISTS (SELECT 1 FROM job_engines e
                         WHERE e.pool_id = locks.locked_by AND e.seen_at > now() - $1::interval)`,
      [stale, [...this.#pools]],
    )
    const dead = rows.map((row) => row.locked_by)
    if (dead.length > 0) {
      await this.#closeRuns(dead)
      await this.#options.unlock(dead)
      this.#options.logger.warn(
        { pools: dead },
        'jobs held by a process that stopped answering were handed back to the queue',
      )
    }
    await this.#db.query(
      `DELETE FROM job_engines WHERE seen_at < now() - $1::interval AND pool_id <> ALL($2::text[])`,
      [stale, [...this.#pools]],
    )
  }

  /**
   * The runs the dead processes had under way end as failed (`process_died`), with their audit
   * row: each job runs again as a new attempt, and every run's start has its end.
   */
  async #closeRuns(pools: string[]): Promise<void> {
    await this.#db.transaction(async (tx) => {
      const { rows } = await tx.query<{
        id: number
        job_id: number
        task: string
        trigger: string
        attempt: number
      }>(
        `UPDATE job_runs SET status = 'failed', reason = 'process_died', finished_at = now(),
           detail = 'the process running it stopped answering; the job went back to the queue'
         WHERE status = 'running' AND job_id IN (
           SELECT id FROM graphile_worker._private_jobs WHERE locked_by = ANY($1::text[]))
         RETURNING id, job_id, task, trigger, attempt`,
        [pools],
      )
      for (const run of rows) {
        await writeAudit(tx, {
          action: 'job_failed',
          actor: 'system:jobs',
          target: `job:${run.job_id}`,
          payload: {
            task: run.task,
            trigger: run.trigger,
            attempt: run.attempt,
            run: Number(run.id),
            code: 'process_died',
            final: false,
          },
        })
      }
    })
  }

  async stop(): Promise<void> {
    const timer = this.#timer
    this.#timer = undefined
    clearTimeout(timer)
    await this.#beating
    if (this.#pools.size > 0) {
      await this.#db
        .query('DELETE FROM job_engines WHERE pool_id = ANY($1::text[])', [[...this.#pools]])
        .catch((error: unknown) => this.#warn(error))
    }
  }

  #warn(error: unknown): void {
    this.#options.logger.warn({ err: errorMessage(error) }, 'job engine liveness')
  }
}
