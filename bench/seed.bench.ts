import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resolvedTicketsImport } from '../domains/support/csv-import.ts'
import { demoData } from '../domains/support/demo/demo-data.ts'
import { supportPack } from '../domains/support/index.ts'
import { embedDocuments } from '../src/embedding/document-indexer.ts'
import { importCsv } from '../src/embedding/ingest/import-csv.ts'
import { createLocalEmbedder } from '../src/embedding/local-embedder.ts'
import { migrationSources } from '../src/pack/domain-pack.ts'
import type { Database } from '../src/store/database.ts'
import { loadMigrations } from '../src/store/migration-files.ts'
import { migrate } from '../src/store/migrator.ts'
import { openPglite } from '../src/store/pglite-database.ts'
import { openPostgres } from '../src/store/postgres-database.ts'
import { postgresForBench } from './lib/postgres.ts'
import { type BenchOutcome, compare } from './lib/result.ts'

/**
 * `fte seed` throughput with the local embedder: a CSV shaped like domains/support/demo/resolved-tickets.csv
 * (ROWS rows, the demo tickets' wording varied), read, imported in one transaction, chunked,
 * embedded and stored, against chunking and embedding the same texts with no database at all.
 */
const ROWS = 2000

function ticketRows(): string[][] {
  const resolved = demoData.tickets.filter((t) => t.resolution !== undefined)
  return Array.from({ length: ROWS }, (_, i) => {
    const t = resolved[i % resolved.length]
    if (t === undefined) throw new Error('no resolved demo tickets')
    const n = Math.floor(i / resolved.length)
    return [
      String(100_000 + i),
      `customer${i % 400}@example.com`,
      `${t.summary} (case ${n})`,
      `${t.resolution ?? ''} Closed as case ${i}.`,
    ]
  })
}

async function seedRate(db: Database, file: string): Promise<number> {
  const migrated = await migrate(db, await loadMigrations(migrationSources(supportPack)))
  if (migrated.error) throw migrated.error
  const started = performance.now()
  const result = await importCsv(
    db,
    createLocalEmbedder(1024, supportPack.lexicon),
    resolvedTicketsImport,
    file,
    {
      actor: 'bench',
    },
  )
  const seconds = (performance.now() - started) / 1000
  if (result.embedded.documents !== ROWS) {
    throw new Error(`seeded ${result.embedded.documents} documents, expected ${ROWS}`)
  }
  return ROWS / seconds
}

export async function benchSeed(
  env: Readonly<Record<string, string | undefined>>,
  report: (line: string) => void,
): Promise<BenchOutcome> {
  const out: BenchOutcome = { results: [], skipped: [] }
  const dir = await mkdtemp(join(tmpdir(), 'fte-bench-seed-'))
  try {
    const rows = ticketRows()
    const file = join(dir, 'resolved-tickets.csv')
    const quote = (value: string) => `"${value.replaceAll('"', '""')}"`
    await writeFile(
      file,
      ['id,customer_email,summary,resolution', ...rows.map((r) => r.map(quote).join(','))].join(
        '\n',
      ),
    )

    const embedder = createLocalEmbedder(1024, supportPack.lexicon)
    const texts = rows.map(([id = '', , summary = '', resolution = '']) => ({
      id,
      title: summary,
      body: `${summary}\n\nResolution: ${resolution}`,
    }))
    const started = performance.now()
    for (let i = 0; i < texts.length; i += 64)
      await embedDocuments(embedder, texts.slice(i, i + 64))
    const embedOnly = ROWS / ((performance.now() - started) / 1000)
    report(`  chunk + embed only: ${Math.round(embedOnly)} documents/s`)

    const lite = await openPglite({ dataDir: join(dir, 'data') })
    const liteRate = await seedRate(lite, file).finally(() => lite.close())
    report(`  PGlite: ${Math.round(liteRate)} documents/s`)
    out.results.push(
      compare(
        `fte seed on PGlite, ${ROWS} resolved tickets (local embedder)`,
        'docs/s',
        liteRate,
        'chunking and embedding the same texts, no database',
        embedOnly,
        'read, validate, import in one transaction, embed in batches of 64, store; data dir on disk',
      ),
    )

    const server = await postgresForBench(env)
    if (typeof server === 'string') {
      out.skipped.push({ name: 'fte seed on PostgreSQL', reason: server })
      return out
    }
    try {
      const db = await openPostgres({ url: server.url, poolMax: 4 })
      const pgRate = await seedRate(db, file).finally(() => db.close())
      report(`  PostgreSQL: ${Math.round(pgRate)} documents/s`)
      out.results.push(
        compare(
          `fte seed on PostgreSQL, ${ROWS} resolved tickets (local embedder)`,
          'docs/s',
          pgRate,
          'chunking and embedding the same texts, no database',
          embedOnly,
          server.description,
        ),
        compare('fte seed on PGlite', 'docs/s', liteRate, 'fte seed on PostgreSQL', pgRate),
      )
    } finally {
      await server.release()
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
  return out
}
