import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { promisify } from 'node:util'
import pg from 'pg'
import { supportPack } from '../../domains/support/index.ts'
import { prepareDatabase } from '../../src/app/prepare-database.ts'
import { createLocalEmbedder } from '../../src/embedding/local-embedder.ts'
import { createLogger } from '../../src/lib/logger.ts'
import type { Database } from '../../src/store/database.ts'
import { openPostgres } from '../../src/store/postgres-database.ts'
import type { BenchOutcome } from './result.ts'

const run = promisify(execFile)
const CLUSTER = new URL('../../.ci/postgres-cluster.sh', import.meta.url).pathname
const BENCH_CLUSTER_ENV = { FTE_PG_DIR: '/tmp/fte-bench-postgres', FTE_PG_PORT: '54339' }

export interface PostgresForBench {
  /** A fresh database of its own; dropped by `release`. */
  url: string
  description: string
  release(): Promise<void>
}

/**
 * A real Postgres to measure against: BENCH_DATABASE_URL or TEST_DATABASE_URL when set (a role that
 * may CREATE DATABASE), otherwise a throwaway local cluster when PostgreSQL 15 with pgvector is
 * installed. Undefined, with the reason, when there is none.
 */
export async function postgresForBench(
  env: Readonly<Record<string, string | undefined>>,
): Promise<PostgresForBench | string> {
  let adminUrl = env.BENCH_DATABASE_URL || env.TEST_DATABASE_URL || undefined
  let stopCluster = async () => {}
  let description = 'PostgreSQL from BENCH_DATABASE_URL / TEST_DATABASE_URL'
  if (adminUrl === undefined) {
    if (!existsSync('/usr/share/postgresql/15/extension/vector.control')) {
      return 'no BENCH_DATABASE_URL or TEST_DATABASE_URL, and no local PostgreSQL 15 with pgvector (.ci/install-postgres.sh installs it)'
    }
    const started = await run('bash', [CLUSTER, 'start'], {
      env: { ...process.env, ...BENCH_CLUSTER_ENV },
    })
    adminUrl = /TEST_DATABASE_URL=(\S+)/.exec(started.stdout)?.[1]
    if (adminUrl === undefined) return 'the throwaway PostgreSQL cluster did not start'
    description = 'PostgreSQL 15, throwaway local cluster (default settings)'
    stopCluster = async () => {
      await run('bash', [CLUSTER, 'stop'], { env: { ...process.env, ...BENCH_CLUSTER_ENV } })
    }
  }
  const name = `fte_bench_${randomBytes(4).toString('hex')}`
  await admin(adminUrl, `CREATE DATABASE ${name}`)
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    description,
    release: async () => {
      await admin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await stopCluster()
    },
  }
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

/** The bench database opened and made ready as `fte serve` would: schema, demo data, embeddings. */
export async function openDemoDatabase(url: string, poolMax: number): Promise<Database> {
  const db = await openPostgres({ url, poolMax })
  try {
    await prepareDatabase(db, {
      pack: supportPack,
      embedder: createLocalEmbedder(1024, supportPack.lexicon),
      demoData: true,
      logger: createLogger({ level: 'silent' }),
    })
    return db
  } catch (error) {
    await db.close()
    throw error
  }
}

/**
 * Runs `measure` on a demo database on the bench's PostgreSQL (see `postgresForBench`), named as
 * the results name it, and releases both after; without a PostgreSQL, records why it was skipped.
 */
export async function onDemoPostgres(
  env: Readonly<Record<string, string | undefined>>,
  out: BenchOutcome,
  skippedName: string,
  measure: (db: Database, where: string) => Promise<void>,
): Promise<void> {
  const server = await postgresForBench(env)
  if (typeof server === 'string') {
    out.skipped.push({ name: skippedName, reason: server })
    return
  }
  try {
    const db = await openDemoDatabase(server.url, 10)
    try {
      await measure(db, `PostgreSQL (${server.description})`)
    } finally {
      await db.close()
    }
  } finally {
    await server.release()
  }
}
