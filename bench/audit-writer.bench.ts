import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { supportPack } from '../domains/support/index.ts'
import { recordInvocation } from '../src/audit/audit-writer.ts'
import { migrationSources } from '../src/pack/domain-pack.ts'
import type { Database } from '../src/store/database.ts'
import { loadMigrations } from '../src/store/migration-files.ts'
import { migrate } from '../src/store/migrator.ts'
import { openPglite } from '../src/store/pglite-database.ts'
import { openPostgres } from '../src/store/postgres-database.ts'
import { throughput } from './lib/measure.ts'
import { postgresForBench } from './lib/postgres.ts'
import { type BenchOutcome, compare } from './lib/result.ts'

const OPS = 2000

interface Rates {
  audit: number
  plain: number
}

/** Sequential transactions: one invocation + its audit row each, against a one-row INSERT each. */
async function measure(db: Database): Promise<Rates> {
  const migrations = await loadMigrations(migrationSources(supportPack))
  const result = await migrate(db, migrations)
  if (result.error) throw result.error
  await db.exec(
    'CREATE TABLE IF NOT EXISTS bench_plain (id bigserial PRIMARY KEY, payload jsonb NOT NULL)',
  )
  const args = { order_id: '4429', reason: 'refund never arrived' }
  const audit = await throughput(
    (i) =>
      db.transaction((tx) =>
        recordInvocation(tx, {
          capability: 'mcp:lookup_order',
          actor: 'bench',
          arguments: args,
          status: 'ok',
          result: { i },
          latencyMs: 3,
        }),
      ),
    OPS,
  )
  const payload = JSON.stringify(args)
  const plain = await throughput(
    () =>
      db.transaction((tx) =>
        tx.query('INSERT INTO bench_plain (payload) VALUES ($1::jsonb)', [payload]),
      ),
    OPS,
  )
  return { audit, plain }
}

async function concurrentAudit(db: Database, clients: number): Promise<number> {
  const perClient = OPS / clients
  const started = performance.now()
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = 0; i < perClient; i++) {
        await db.transaction((tx) =>
          recordInvocation(tx, {
            capability: 'mcp:lookup_order',
            actor: 'bench',
            arguments: {},
            status: 'ok',
            result: null,
            latencyMs: 1,
          }),
        )
      }
    }),
  )
  return OPS / ((performance.now() - started) / 1000)
}

export async function benchAuditWriter(
  env: Readonly<Record<string, string | undefined>>,
  report: (line: string) => void,
): Promise<BenchOutcome> {
  const out: BenchOutcome = { results: [], skipped: [] }
  const dir = await mkdtemp(join(tmpdir(), 'fte-bench-audit-'))
  let lite: Rates
  const embedded = await openPglite({ dataDir: join(dir, 'data') })
  try {
    lite = await measure(embedded)
  } finally {
    await embedded.close()
    await rm(dir, { recursive: true, force: true })
  }
  report(`  PGlite: audit ${Math.round(lite.audit)} ops/s, plain ${Math.round(lite.plain)} ops/s`)
  out.results.push(
    compare(
      'audit writer on PGlite (invocation + audit row per transaction)',
      'ops/s',
      lite.audit,
      'one-row INSERT per transaction on PGlite',
      lite.plain,
      `${OPS} sequential transactions, data dir on disk`,
    ),
  )

  const server = await postgresForBench(env)
  if (typeof server === 'string') {
    out.skipped.push({ name: 'audit writer on PostgreSQL', reason: server })
    return out
  }
  try {
    const db = await openPostgres({ url: server.url, poolMax: 8 })
    try {
      const native = await measure(db)
      const concurrent = await concurrentAudit(db, 8)
      // The same server without waiting for the WAL flush at each commit: separates the cost of
      // durability from the cost of the engine when comparing with the embedded database.
      const asyncUrl = new URL(server.url)
      asyncUrl.searchParams.set('options', '-c synchronous_commit=off')
      const asyncDb = await openPostgres({ url: asyncUrl.toString(), poolMax: 1 })
      const noFlush = await measure(asyncDb).finally(() => asyncDb.close())
      report(
        `  PostgreSQL: audit ${Math.round(native.audit)} ops/s, plain ${Math.round(native.plain)} ops/s`,
      )
      out.results.push(
        compare(
          'audit writer on PostgreSQL (invocation + audit row per transaction)',
          'ops/s',
          native.audit,
          'one-row INSERT per transaction on PostgreSQL',
          native.plain,
          `${OPS} sequential transactions; ${server.description}`,
        ),
        compare(
          'audit writer on PostgreSQL, 8 concurrent clients',
          'ops/s',
          concurrent,
          'audit writer on PostgreSQL, 1 client',
          native.audit,
        ),
        compare(
          'audit writer on PGlite',
          'ops/s',
          lite.audit,
          'audit writer on PostgreSQL',
          native.audit,
          'embedded against native, same run',
        ),
        compare(
          'one-row INSERT per transaction on PGlite',
          'ops/s',
          lite.plain,
          'one-row INSERT per transaction on PostgreSQL',
          native.plain,
          'embedded against native, same run',
        ),
        compare(
          'audit writer on PGlite',
          'ops/s',
          lite.audit,
          'audit writer on PostgreSQL, synchronous_commit=off',
          noFlush.audit,
          'native without waiting for the WAL flush at commit',
        ),
        compare(
          'one-row INSERT per transaction on PGlite',
          'ops/s',
          lite.plain,
          'one-row INSERT per transaction on PostgreSQL, synchronous_commit=off',
          noFlush.plain,
          'native without waiting for the WAL flush at commit',
        ),
      )
    } finally {
      await db.close()
    }
  } finally {
    await server.release()
  }
  return out
}
