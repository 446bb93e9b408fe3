import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { supportPack } from '../domains/support/index.ts'
import { auditedTask } from '../src/jobs/audited-task.ts'
import { type JobTask, startJobEngine } from '../src/jobs/job-engine.ts'
import { enqueue, installQueue } from '../src/jobs/job-queue.ts'
import { createLogger } from '../src/lib/logger.ts'
import { migrationSources } from '../src/pack/domain-pack.ts'
import type { Database } from '../src/store/database.ts'
import { openEmbedded } from '../src/store/embedded.ts'
import { loadMigrations } from '../src/store/migration-files.ts'
import { migrate } from '../src/store/migrator.ts'
import { emailAgainstChat } from './lib/email-against-chat.ts'
import { startDrainer } from './lib/job-drainers.ts'
import { median, percentile } from './lib/measure.ts'
import { openDemoDatabase, postgresForBench } from './lib/postgres.ts'
import { drainMs, NOOP_TASK, selectOneMs } from './lib/queue-drain.ts'
import { type BenchOutcome, compare } from './lib/result.ts'

const JOBS = 500
const REPLICA_JOBS = 2000
const ROUNDS = 3
const EMAILS = { warmup: 3, rounds: 50 }
const logger = createLogger({
  level: 'silent',
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
})

/** Milliseconds per job, median of `ROUNDS` drains of `JOBS`, one engine running `task`. */
async function perJob(db: Database, task: JobTask): Promise<number> {
  const engine = await startJobEngine({ db, tasks: { [NOOP_TASK]: task }, concurrency: 1, logger })
  try {
    await drainMs(db, 50)
    const rounds: number[] = []
    for (let i = 0; i < ROUNDS; i++) rounds.push((await drainMs(db, JOBS)) / JOBS)
    return median(rounds)
  } finally {
    await engine.stop()
  }
}

/** What the queue costs a job: adding it, and running it (bare, and audited as fte serve's are). */
async function queueFigures(db: Database, where: string, report: (line: string) => void) {
  await installQueue(db, logger)
  const driver = db.driverConfig?.()
  if (driver === undefined) throw new Error(`${where} offers no driver for the queue`)
  const trip = await selectOneMs(driver)
  const adds: number[] = []
  const selects: number[] = []
  for (let i = 0; i < 250; i++) {
    let started = performance.now()
    await enqueue(db, { task: 'bench:parked', payload: {}, maxAttempts: 1 })
    adds.push(performance.now() - started)
    started = performance.now()
    await db.query('SELECT 1')
    selects.push(performance.now() - started)
  }
  await db.query(`SELECT graphile_worker.complete_jobs(array_agg(id)) FROM graphile_worker.jobs
                  WHERE task_identifier = 'bench:parked'`)
  const bare = await perJob(db, async () => {})
  const audited = await perJob(
    db,
    auditedTask(
      db,
      logger,
      () => 'bench',
      async () => ({ status: 'done' }),
    ),
  )
  report(
    `  ${where}: SELECT 1 ${trip.toFixed(2)} ms; add a job ${median(adds.slice(50)).toFixed(2)} ms; a no-op job ${bare.toFixed(2)} ms, audited ${audited.toFixed(2)} ms`,
  )
  const anchor = "a bare SELECT 1 round trip over the engine's connection"
  const drained = `median of ${ROUNDS} drains of ${JOBS} jobs added in one statement, one engine, one job at a time`
  return [
    compare(
      `add one job (enqueue, a transaction of its own) on ${where}`,
      'ms',
      median(adds.slice(50)),
      'a bare SELECT 1 on the same connection',
      median(selects.slice(50)),
      'median of 200 (graphile_worker.add_job)',
    ),
    compare(
      `a no-op job through the job engine on ${where}, per job`,
      'ms',
      bare,
      anchor,
      trip,
      drained,
    ),
    compare(
      `an audited no-op job (a job_runs row, job_started and job_finished audit rows) on ${where}, per job`,
      'ms',
      audited,
      anchor,
      trip,
      `${drained}; every job of fte serve is audited so`,
    ),
  ]
}

/** Jobs per second with two replicas (processes) draining one queue, against one. */
async function replicaFigures(
  db: Database,
  url: string,
  where: string,
  report: (line: string) => void,
) {
  const one = await startDrainer(url, 2)
  const rates = { one: [] as number[], two: [] as number[] }
  try {
    await drainMs(db, 200)
    for (let i = 0; i < ROUNDS; i++) {
      const second = await startDrainer(url, 2)
      rates.two.push(REPLICA_JOBS / ((await drainMs(db, REPLICA_JOBS)) / 1000))
      await second.stop()
      rates.one.push(REPLICA_JOBS / ((await drainMs(db, REPLICA_JOBS)) / 1000))
    }
  } finally {
    await one.stop()
  }
  report(
    `  ${where}: ${median(rates.two).toFixed(0)} jobs/s with two replicas, ${median(rates.one).toFixed(0)} with one`,
  )
  return compare(
    `no-op jobs per second, two replicas (processes) draining one queue on ${where}`,
    'ops/s',
    median(rates.two),
    'one replica alone',
    median(rates.one),
    `median of ${ROUNDS} drains of ${REPLICA_JOBS} jobs, interleaved; each replica runs 2 at once (JOBS_CONCURRENCY's default)`,
  )
}

/** An email answered by reply against the same question through the chat API: p50 and p99. */
async function emailFigures(
  database: { DATABASE_URL?: string },
  where: string,
  report: (line: string) => void,
) {
  const { email, chat } = await emailAgainstChat(database, EMAILS.warmup, EMAILS.rounds)
  const p = (times: number[], q: number) => percentile(times, q)
  report(
    `  ${where}: email to reply p50 ${p(email, 0.5).toFixed(0)} ms, p99 ${p(email, 0.99).toFixed(0)} ms; chat to [DONE] p50 ${p(chat, 0.5).toFixed(0)} ms, p99 ${p(chat, 0.99).toFixed(0)} ms`,
  )
  const notes = `${EMAILS.rounds} each, interleaved (p99 of 50 is the slowest); fte serve in its own process, replies sent at once (JOBS_REPLIES=send), 2 model calls + 1 gateway call, zero-latency model`
  return [0.5, 0.99].map((q) =>
    compare(
      `inbound email to reply received (signed POST /api/inbound/email to the SMTP receiver) on ${where}, p${q * 100}`,
      'ms',
      p(email, q),
      `the same question through POST /api/chat to [DONE], p${q * 100}`,
      p(chat, q),
      notes,
    ),
  )
}

/**
 * The Worker's own work: what the queue costs a job against a bare round trip, jobs per second
 * with two replicas against one (Postgres: on the embedded database only its holder runs jobs),
 * and an inbound email's time to its reply against the same turn through the chat API.
 */
export async function benchJobs(
  env: Readonly<Record<string, string | undefined>>,
  report: (line: string) => void,
): Promise<BenchOutcome> {
  const out: BenchOutcome = { results: [], skipped: [] }
  const dir = await mkdtemp(join(tmpdir(), 'fte-bench-jobs-'))
  try {
    const db = await openEmbedded({ dataDir: join(dir, 'data') })
    try {
      const migrated = await migrate(db, await loadMigrations(migrationSources(supportPack)))
      if (migrated.error) throw migrated.error
      out.results.push(...(await queueFigures(db, 'the embedded database', report)))
    } finally {
      await db.close()
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
  out.results.push(...(await emailFigures({}, 'the embedded database', report)))
  const server = await postgresForBench(env)
  if (typeof server === 'string') {
    out.skipped.push({ name: 'jobs on PostgreSQL', reason: server })
    return out
  }
  try {
    const where = `PostgreSQL (${server.description})`
    const db = await openDemoDatabase(server.url, 10)
    try {
      out.results.push(...(await queueFigures(db, where, report)))
      out.results.push(await replicaFigures(db, server.url, where, report))
    } finally {
      await db.close()
    }
    out.results.push(...(await emailFigures({ DATABASE_URL: server.url }, where, report)))
  } finally {
    await server.release()
  }
  return out
}
