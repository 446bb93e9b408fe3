import { supportPack } from '../domains/support/index.ts'
import { DEFAULT_EF_SEARCH, searchQuery } from '../src/embedding/search.ts'
import { migrationSources } from '../src/pack/domain-pack.ts'
import type { Database } from '../src/store/database.ts'
import {
  DEFAULT_HNSW_BUILD,
  type EmbeddingSpace,
  embeddingIndexName,
  ensureEmbeddingIndex,
  type HnswBuild,
} from '../src/store/embedding-index.ts'
import { loadMigrations } from '../src/store/migration-files.ts'
import { migrate } from '../src/store/migrator.ts'
import { openPglite } from '../src/store/pglite-database.ts'
import { openPostgres } from '../src/store/postgres-database.ts'
import { median, percentile } from './lib/measure.ts'
import { postgresForBench } from './lib/postgres.ts'
import { type BenchOutcome, compare } from './lib/result.ts'

/**
 * Vector search through the product's own query (`searchQuery`: source filter, model predicate,
 * the per-model partial HNSW index) over synthetic vectors, on real Postgres at 10k and 100k rows
 * and on PGlite at 10k. Recall@10 is against an exact scan of the same rows, run in this benchmark.
 *
 * The vectors are clustered, as embeddings are: CENTRES random centres, each point a centre plus
 * uniform noise of the same spread as the centres. Queries are fresh points drawn the same way. Uniformly
 * random vectors (no structure at all) are the hardest case for any approximate index and lower
 * recall at a given ef_search; real embeddings sit between the two. BENCH_VECTOR_DATA=uniform
 * measures that case.
 */

const CENTRES = 500
const NOISE = 1
const SOURCE = 'bench'
const K = 10

interface Settings {
  sizes: number[]
  dimensions: number[]
  pgliteSizes: number[]
  queries: number
  build: HnswBuild
  efSearch: number[]
  /** `clustered` (default) or `uniform`: no structure at all, the hardest case. */
  data: 'clustered' | 'uniform'
}

function settingsFrom(env: Readonly<Record<string, string | undefined>>): Settings {
  const list = (value: string | undefined, fallback: number[]) =>
    value === undefined || value === '' ? fallback : value.split(',').map(Number)
  return {
    sizes: list(env.BENCH_VECTOR_SIZES, [10_000, 100_000]),
    dimensions: list(env.BENCH_VECTOR_DIMENSIONS, [1024, 1536]),
    pgliteSizes: list(env.BENCH_PGLITE_VECTOR_SIZES, [10_000]),
    queries: Number(env.BENCH_VECTOR_QUERIES ?? 200),
    build: {
      m: Number(env.BENCH_HNSW_M ?? DEFAULT_HNSW_BUILD.m),
      efConstruction: Number(env.BENCH_HNSW_EF_CONSTRUCTION ?? DEFAULT_HNSW_BUILD.efConstruction),
    },
    efSearch: list(env.BENCH_EF_SEARCH, [40, DEFAULT_EF_SEARCH, 200]),
    data: env.BENCH_VECTOR_DATA === 'uniform' ? 'uniform' : 'clustered',
  }
}

export interface SearchFigures {
  rows: number
  dimensions: number
  loadMs: number
  buildMs: number
  exactP50: number
  usesIndex: boolean
  /** One entry per ef_search tried. */
  hnsw: Array<{ efSearch: number; p50: number; p99: number; recall: number }>
}

/** Loads `rows` clustered vectors, builds the index, and measures exact and HNSW top-10. */
export async function measureSearch(
  db: Database,
  rows: number,
  dimensions: number,
  settings: Settings,
  report: (line: string) => void,
): Promise<SearchFigures> {
  const space: EmbeddingSpace = { model: `bench-synthetic-${dimensions}`, dimensions }
  await db.exec('TRUNCATE embeddings, documents CASCADE')
  await db.exec(`DROP INDEX IF EXISTS ${embeddingIndexName(space)}`)
  await db.exec(`DROP TABLE IF EXISTS bench_centres;
    CREATE TABLE bench_centres AS
      SELECT i, array(SELECT ${settings.data === 'uniform' ? '0' : 'random() * 2 - 1'}
                      FROM generate_series(1, ${dimensions})
                      WHERE i >= 0)::vector AS v
      FROM generate_series(0, ${CENTRES - 1}) i`)
  const perDocument = 1 // a past case is one chunk: one document per vector
  await db.query(
    `INSERT INTO documents (source, external_id, title, body)
     SELECT $1, 'bench-' || g, 'synthetic ' || g, '' FROM generate_series(0, $2::int - 1) g`,
    [SOURCE, Math.ceil(rows / perDocument)],
  )
  // A centre picked by a multiplicative hash of the row number, plus fresh noise per row (the
  // reference to the row number makes Postgres evaluate the noise once per row, not once).
  const centre = (seed: string, salt: number) =>
    `JOIN bench_centres c ON c.i = (${seed} * 7919 + ${salt}) % ${CENTRES}`
  const point = (seed: string) =>
    `c.v + array(SELECT (random() * 2 - 1) * ${NOISE} FROM generate_series(1, ${dimensions}) ` +
    `WHERE ${seed} >= 0)::vector`

  const loadStarted = performance.now()
  const batch = 10_000
  for (let from = 0; from < rows; from += batch) {
    const to = Math.min(rows, from + batch)
    await db.query(
      `INSERT INTO embeddings (document_id, chunk_index, chunk_text, model, dimensions, embedding)
       SELECT d.id, g % ${perDocument}, '', $1, $2, ${point('g')}
       FROM generate_series($3::int, $4::int - 1) g ${centre('g', 0)}
       JOIN documents d ON d.source = '${SOURCE}' AND d.external_id = 'bench-' || (g / ${perDocument})`,
      [space.model, dimensions, from, to],
    )
  }
  await db.exec('ANALYZE embeddings; ANALYZE documents')
  const loadMs = performance.now() - loadStarted
  report(`    loaded ${rows} × ${dimensions} in ${Math.round(loadMs)} ms`)

  const buildStarted = performance.now()
  await ensureEmbeddingIndex(db, space, settings.build)
  const buildMs = performance.now() - buildStarted
  report(`    HNSW index built in ${Math.round(buildMs)} ms`)

  const { rows: queries } = await db.query<{ v: string }>(
    `SELECT (${point('q')})::text AS v FROM generate_series(1, $1::int) q ${centre('q', 13)}`,
    [settings.queries],
  )
  const sql = (vector: string) => searchQuery(space, SOURCE, vector, K)
  const ids = (result: { rows: Array<{ id: string; chunk_index: number }> }) =>
    result.rows.map((r) => `${r.id}/${r.chunk_index}`)

  const exact: string[][] = []
  const exactMs: number[] = []
  for (const { v } of queries) {
    const { sql: text, params } = sql(v)
    const started = performance.now()
    const result = await db.transaction(async (tx) => {
      await tx.exec('SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off')
      return tx.query<{ id: string; chunk_index: number }>(text, params)
    })
    exactMs.push(performance.now() - started)
    exact.push(ids(result))
  }

  const probe = sql(queries[0]?.v ?? '[]')
  const plan = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${probe.sql}`, probe.params)
  const usesIndex = plan.rows.some((r) => r['QUERY PLAN'].includes(embeddingIndexName(space)))
  if (!usesIndex) report(plan.rows.map((r) => `      ${r['QUERY PLAN'].slice(0, 160)}`).join('\n'))

  const hnsw: SearchFigures['hnsw'] = []
  // One unmeasured pass first, so the first ef_search measured does not pay for a cold cache.
  const passes = [Math.max(...settings.efSearch), ...settings.efSearch]
  for (const [pass, efSearch] of passes.entries()) {
    const times: number[] = []
    let found = 0
    for (const [q, { v }] of queries.entries()) {
      const { sql: text, params } = sql(v)
      const result = await db.transaction(async (tx) => {
        await tx.exec(
          `SET LOCAL hnsw.iterative_scan = relaxed_order; SET LOCAL hnsw.ef_search = ${efSearch}`,
        )
        const started = performance.now()
        const r = await tx.query<{ id: string; chunk_index: number }>(text, params)
        times.push(performance.now() - started)
        return r
      })
      const truth = new Set(exact[q])
      found += ids(result).filter((id) => truth.has(id)).length
    }
    if (pass === 0) continue
    const figure = {
      efSearch,
      p50: median(times),
      p99: percentile(times, 0.99),
      recall: found / (queries.length * K),
    }
    hnsw.push(figure)
    report(
      `    ef_search ${efSearch}: p50 ${figure.p50.toFixed(2)} ms, p99 ${figure.p99.toFixed(2)} ms, recall@10 ${figure.recall.toFixed(3)}`,
    )
  }
  await db.exec('TRUNCATE embeddings, documents CASCADE; DROP TABLE bench_centres')
  await db.exec(`DROP INDEX IF EXISTS ${embeddingIndexName(space)}`)
  return { rows, dimensions, loadMs, buildMs, exactP50: median(exactMs), usesIndex, hnsw }
}

async function migrated(db: Database): Promise<void> {
  const result = await migrate(db, await loadMigrations(migrationSources(supportPack)))
  if (result.error) throw result.error
}

function label(f: SearchFigures): string {
  return `${f.rows / 1000}k × ${f.dimensions}`
}

function chosen(f: SearchFigures) {
  const at = f.hnsw.find((h) => h.efSearch === DEFAULT_EF_SEARCH) ?? f.hnsw[0]
  if (at === undefined) throw new Error('no ef_search measured')
  return at
}

function sweep(f: SearchFigures): string {
  return f.hnsw
    .map(
      (h) =>
        `ef ${h.efSearch}: ${h.p50.toFixed(2)}/${h.p99.toFixed(2)} ms r ${h.recall.toFixed(3)}`,
    )
    .join('; ')
}

export async function benchVectorSearch(
  env: Readonly<Record<string, string | undefined>>,
  report: (line: string) => void,
): Promise<BenchOutcome> {
  const out: BenchOutcome = { results: [], skipped: [] }
  const settings = settingsFrom(env)
  const build = `m ${settings.build.m}, ef_construction ${settings.build.efConstruction}, ${settings.data} vectors`
  const native = new Map<string, SearchFigures>()

  const server = await postgresForBench(env)
  if (typeof server === 'string') {
    out.skipped.push({ name: 'vector search on PostgreSQL', reason: server })
  } else {
    try {
      // One connection, so the session settings below hold for the index builds.
      const db = await openPostgres({ url: server.url, poolMax: 1 })
      try {
        await migrated(db)
        await db.exec("SET maintenance_work_mem = '2GB'")
        for (const dimensions of settings.dimensions) {
          for (const rows of settings.sizes) {
            report(`  PostgreSQL ${rows} × ${dimensions}`)
            const f = await measureSearch(db, rows, dimensions, settings, report)
            native.set(`${rows}x${dimensions}`, f)
            const at = chosen(f)
            out.results.push(
              compare(
                `HNSW top-10 p50 on PostgreSQL, ${label(f)} (ef_search ${at.efSearch})`,
                'ms',
                at.p50,
                'exact scan p50, same rows and queries',
                f.exactP50,
                `p99 ${at.p99.toFixed(2)} ms, recall@10 ${at.recall.toFixed(3)}` +
                  `${f.usesIndex ? '' : ', PLAN DID NOT USE THE INDEX'}; ${sweep(f)}; ${build}`,
              ),
              compare(
                `HNSW index build on PostgreSQL, ${label(f)}`,
                'ms',
                f.buildMs,
                'loading the same vectors (generate + insert)',
                f.loadMs,
                `${build}, maintenance_work_mem 2GB; ${server.description}`,
              ),
            )
          }
        }
      } finally {
        await db.close()
      }
    } finally {
      await server.release()
    }
  }

  for (const dimensions of settings.dimensions) {
    for (const rows of settings.pgliteSizes) {
      report(`  PGlite ${rows} × ${dimensions}`)
      const db = await openPglite()
      let f: SearchFigures
      try {
        await migrated(db)
        f = await measureSearch(db, rows, dimensions, settings, report)
      } finally {
        await db.close()
      }
      const at = chosen(f)
      const anchor = native.get(`${rows}x${dimensions}`)
      const notes = `p99 ${at.p99.toFixed(2)} ms, recall@10 ${at.recall.toFixed(3)}; index build ${Math.round(f.buildMs)} ms${anchor === undefined ? '' : ` (${(f.buildMs / anchor.buildMs).toFixed(1)}× PostgreSQL's)`}`
      out.results.push(
        anchor === undefined
          ? compare(
              `HNSW top-10 p50 on PGlite, ${label(f)}`,
              'ms',
              at.p50,
              'exact scan p50 on PGlite',
              f.exactP50,
              notes,
            )
          : compare(
              `HNSW top-10 p50 on PGlite, ${label(f)}`,
              'ms',
              at.p50,
              `the same on PostgreSQL`,
              chosen(anchor).p50,
              notes,
            ),
      )
    }
  }
  return out
}
