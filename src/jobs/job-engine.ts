import { EventEmitter } from 'node:events'
import {
  type CronItem,
  makeWorkerUtils,
  parseCronItems,
  type Runner,
  run,
  type Task,
  type WorkerEvents,
} from 'graphile-worker'
import pg from 'pg'
import { errorMessage } from '../lib/errors.ts'
import type { Logger } from '../lib/logger.ts'
import type { Database } from '../store/database.ts'
import { EngineLiveness } from './engine-liveness.ts'
import { queueLogger } from './queue-logger.ts'

/** What a task sees of the job it runs. */
export interface RunningJob {
  id: number
  task: string
  /** 1 for the first run. */
  attempt: number
  maxAttempts: number
  /** Aborted when the engine stops: finish quickly or throw (the job is tried again later). */
  signal: AbortSignal
}

/** One kind of job: throws to fail the attempt (retried with backoff, then parked as failed). */
export type JobTask = (payload: unknown, job: RunningJob) => Promise<void>

/** A recurring job: a cron pattern (minute hour day month weekday, UTC) and the task it adds. */
export interface Schedule {
  /** Unique: `schedule:<name>` is its identity in the queue and its trigger. */
  name: string
  cron: string
  task: string
  payload?: Record<string, unknown>
}

export interface JobEngineOptions {
  /** The database the queue lives in; it must offer the driver (`driverConfig`). */
  db: Database
  tasks: Readonly<Record<string, JobTask>>
  schedules?: readonly Schedule[]
  /** Jobs this process runs at once. */
  concurrency: number
  logger: Logger
  /** How often this process says it is alive, and after how long without a word another is dead. */
  heartbeatMs?: number
  staleAfterMs?: number
  /** How often to look for jobs when no notification came (a notification wakes it at once). */
  pollMs?: number
}

/** How often empty queues and unused task names are removed. */
const TIDY_MS = 60 * 60 * 1000

export interface JobEngine {
  stop(): Promise<void>
}

/**
 * Runs the queue's jobs in this process with graphile-worker: every process that runs one shares
 * the queue, a job is locked by one process at a time (`FOR UPDATE SKIP LOCKED`), and a job that
 * throws is retried with exponential backoff until its attempts run out, then kept as failed with
 * its last error. Crashed processes are covered by {@link EngineLiveness}.
 */
export async function startJobEngine(options: JobEngineOptions): Promise<JobEngine> {
  const { db, logger } = options
  const driver = db.driverConfig?.()
  if (driver === undefined) throw new Error('the job queue needs a database it can reach by driver')
  const pgPool = new pg.Pool({
    ...driver,
    max: options.concurrency + 2,
    application_name: 'digital-fte (jobs)',
  })
  pgPool.on('error', (error) => logger.warn({ err: errorMessage(error) }, 'job queue connection'))
  // A connection's own errors reach its query; this keeps one lost while idle from crashing us.
  pgPool.on('connect', (client) => client.on('error', () => {}))
  const events: WorkerEvents = new EventEmitter()
  const liveness = new EngineLiveness(db, {
    logger,
    heartbeatMs: options.heartbeatMs ?? 5_000,
    staleAfterMs: options.staleAfterMs ?? 30_000,
    unlock: async (poolIds) => {
      await pgPool.query('SELECT graphile_worker.force_unlock_workers($1::text[])', [poolIds])
    },
  })
  events.on('pool:create', ({ workerPool }) => liveness.register(workerPool.id))
  const taskList: Record<string, Task> = {}
  for (const [name, task] of Object.entries(options.tasks)) {
    taskList[name] = async (payload, helpers) =>
      task(payload, {
        id: Number(helpers.job.id),
        task: name,
        attempt: helpers.job.attempts,
        maxAttempts: helpers.job.max_attempts,
        signal: helpers.abortSignal,
      })
  }
  const cron: CronItem[] = (options.schedules ?? []).map((schedule) => ({
    task: schedule.task,
    match: schedule.cron,
    identifier: `schedule:${schedule.name}`,
    payload: { ...schedule.payload, schedule: schedule.name },
    // A schedule missed while no process ran is run once, not once per missed slot.
    options: { backfillPeriod: 0, maxAttempts: 3 },
  }))
  let runner: Runner
  try {
    runner = await run({
      pgPool,
      taskList,
      parsedCronItems: parseCronItems(cron),
      concurrency: options.concurrency,
      noHandleSignals: true,
      pollInterval: options.pollMs ?? 2_000,
      events,
      logger: queueLogger(logger),
    })
  } catch (error) {
    await pgPool.end().catch(() => {})
    throw error
  }
  liveness.start()
  // Every conversation's emails have a queue of their own: an empty one is removed now and then.
  // (Task names are left alone: a running worker keeps their ids.)
  const utils = await makeWorkerUtils({ pgPool, logger: queueLogger(logger) })
  const tidy = setInterval(() => {
    utils
      .cleanup({ tasks: ['GC_JOB_QUEUES'] })
      .catch((error: unknown) => logger.warn({ err: errorMessage(error) }, 'job queue cleanup'))
  }, TIDY_MS)
  tidy.unref()
  runner.promise.catch((error: unknown) =>
    logger.error({ err: errorMessage(error) }, 'the job runner stopped'),
  )
  return {
    async stop() {
      clearInterval(tidy)
      // Alive until its jobs have finished or been given back: only then may others take them.
      await runner.stop().catch((error: unknown) => {
        logger.warn({ err: errorMessage(error) }, 'jobs did not stop cleanly')
      })
      await liveness.stop()
      await Promise.resolve(utils.release()).catch(() => {})
      await pgPool.end().catch(() => {})
    },
  }
}
