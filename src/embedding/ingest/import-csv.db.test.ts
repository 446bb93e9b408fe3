import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest'
import { GUIDES_CSV } from '../../../test/fixture-pack/demo-data.ts'
import { guidesImport } from '../../../test/fixture-pack/guides-import.ts'
import { embedderFor, ScriptedOpenAiServer } from '../../../test/support/scripted-openai-server.ts'
import { describeEachDatabase, type TestDatabase } from '../../../test/support/test-databases.ts'
import { InvalidInputError } from '../../lib/errors.ts'
import { embedPendingDocuments } from '../document-indexer.ts'
import { createLocalEmbedder } from '../local-embedder.ts'
import { createSearch } from '../search.ts'
import type { CsvImport } from './csv-import-contract.ts'
import { type CsvImportReport, CsvRowsError, importCsv } from './import-csv.ts'

const local = createLocalEmbedder()
const HEADER = 'id,title,body'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fte-seed-csv-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

async function csvFile(name: string, lines: string[]): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, `${lines.join('\n')}\n`)
  return path
}

// The core's part of `fte seed <file.csv>` (reading, one transaction, the audit row, embedding),
// with the fixture pack's import of room guides as the pack's part.
describeEachDatabase('fte seed <file.csv>', (target) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('fixture')
  })
  afterEach(() => db.close())

  const seed = (path: string, skipBadRows = false) =>
    importCsv(db, local, guidesImport, path, { actor: 'operator:test', skipBadRows })

  async function counts() {
    const { rows } = await db.query<{ table: string; n: number }>(
      `SELECT 'documents' AS table, count(*)::int AS n FROM documents
       UNION ALL SELECT 'embeddings', count(*)::int FROM embeddings
       UNION ALL SELECT 'seed_runs', count(*)::int FROM audit_log WHERE action = 'seed_run'`,
    )
    return Object.fromEntries(rows.map((r) => [r.table, r.n]))
  }

  it("imports a pack's CSV: its rows, their documents, vectors and one audit row", async () => {
    const result = await seed(GUIDES_CSV)
    expect(result).toMatchObject<Partial<CsvImportReport>>({
      file: 'guides.csv',
      rows: 5,
      inserted: { documents: 5 },
      unchanged: 0,
      skipped: [],
      embedded: { documents: 5, chunks: 5, model: local.model },
    })
    expect(await counts()).toEqual({ documents: 5, embeddings: 5, seed_runs: 1 })

    const { rows: guides } = await db.query<{ metadata: unknown; body: string }>(
      `SELECT metadata, body FROM documents WHERE source = 'guide' AND external_id = 'G-3'`,
    )
    expect(guides).toEqual([
      {
        metadata: { guide_id: 'G-3', topic: 'equipment' },
        body: expect.stringMatching(/^Aurora and Cedar have a projector/),
      },
    ])

    const { rows: audit } = await db.query<{ actor: string; target: string; result: unknown }>(
      `SELECT actor, target, result FROM audit_log WHERE action = 'seed_run'`,
    )
    expect(audit).toEqual([
      {
        actor: 'operator:test',
        target: 'csv:guides.csv',
        result: { inserted: { documents: 5 }, unchanged: 0, skipped_rows: [] },
      },
    ])

    const hits = await createSearch(db, local).search({
      text: 'no picture on the projector',
      source: 'guide',
      k: 3,
    })
    expect(hits.map((h) => h.metadata.guide_id)).toContain('G-3')
  })

  it('adds nothing when the same file runs again, and writes no second audit row', async () => {
    await seed(GUIDES_CSV)
    const before = await counts()
    const again = await seed(GUIDES_CSV)
    expect(again).toMatchObject({
      inserted: { documents: 0 },
      unchanged: 5,
      skipped: [],
      embedded: { documents: 0, chunks: 0 },
    })
    expect(await counts()).toEqual(before)
  })

  it('lets two seeds of one file run at once: one imports, the other finds it done', async () => {
    // Each import waits (up to 300 ms) for the other to reach the same point, so without the
    // seed lock both would check for existing rows before either had written any.
    let arrived = 0
    const rendezvous: CsvImport = {
      ...guidesImport,
      async importRecords(tx, records) {
        arrived++
        for (let waited = 0; arrived < 2 && waited < 300; waited += 10) {
          await new Promise((resolve) => setTimeout(resolve, 10))
        }
        return guidesImport.importRecords(tx, records)
      },
    }
    const run = () => importCsv(db, local, rendezvous, GUIDES_CSV, { actor: 'operator:test' })
    const [a, b] = await Promise.all([run(), run()])
    expect([a.inserted.documents, b.inserted.documents].sort()).toEqual([0, 5])
    expect([a.unchanged, b.unchanged].sort()).toEqual([0, 5])
    expect(await counts()).toEqual({ documents: 5, embeddings: 5, seed_runs: 1 })
  })

  it('refuses a file with bad rows, listing each with its line and reason, and writes nothing', async () => {
    const path = await csvFile('bad.csv', [
      HEADER,
      '1,Booking a room,Say which room and which day',
      'abc,Opening hours,Eight to eight',
      '3,,A guide without a title',
      '4,Lost property,',
      '1,Repeated id,Something',
      '6,Too,many,fields',
      '"7","Quoted, with a comma","Fine, too"',
    ])
    const error = await seed(path).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CsvRowsError)
    expect(error).toBeInstanceOf(InvalidInputError)
    expect(error).toMatchObject({ code: 'seed_rows_invalid', fault: 'caller' })
    const problems = (error as CsvRowsError).problems
    expect(problems.map((p) => p.line)).toEqual([3, 4, 5, 6, 7])
    expect(problems.map((p) => p.reason)).toEqual([
      'id "abc" is neither a number (12) nor a guide id (G-12)',
      'title is empty',
      'body is empty',
      'guide G-1 is already on line 2',
      'has 4 fields, the header has 3 (a comma inside a value must be quoted)',
    ])
    expect((error as Error).message).toContain('5 of 7 rows in bad.csv cannot be imported')
    expect((error as Error).message).toContain('--skip-bad-rows to import the 2 good rows')
    expect(await counts()).toEqual({ documents: 0, embeddings: 0, seed_runs: 0 })

    const skipping = await seed(path, true)
    expect(skipping.inserted).toEqual({ documents: 2 })
    expect(skipping.skipped.map((p) => p.line)).toEqual([3, 4, 5, 6, 7])
    const { rows } = await db.query<{ result: { skipped_rows: { line: number }[] } }>(
      `SELECT result FROM audit_log WHERE action = 'seed_run'`,
    )
    expect(rows[0]?.result.skipped_rows.map((p) => p.line)).toEqual([3, 4, 5, 6, 7])
    const { rows: quoted } = await db.query<{ title: string }>(
      `SELECT title FROM documents WHERE external_id = 'G-7'`,
    )
    expect(quoted).toEqual([{ title: 'Quoted, with a comma' }])
  })

  it('reports a row that contradicts a row already stored', async () => {
    await seed(GUIDES_CSV)
    const path = await csvFile('conflict.csv', [
      HEADER,
      '3,Projector and screen,A different text',
      'G-13,A new guide,Its text',
    ])
    const error = (await seed(path).catch((e: unknown) => e)) as CsvRowsError
    expect(error.problems).toEqual([
      {
        line: 2,
        reason:
          'guide G-3 already exists with a different text; give the row a new id or leave it out',
      },
    ])
    const skipping = await seed(path, true)
    expect(skipping.inserted.documents).toBe(1)
  })

  it('imports nothing while the corpus is held in another model', async () => {
    await seed(GUIDES_CSV)
    const other = createLocalEmbedder(256)
    const path = await csvFile('later.csv', [HEADER, '20,Later guide,Its text'])
    await expect(
      importCsv(db, other, guidesImport, path, { actor: 'operator:test' }),
    ).rejects.toThrow(
      'The corpus is embedded with fte-local-lexical-v2 (1024 dimensions), but the configuration embeds with fte-local-lexical-v2 (256 dimensions); adding vectors of a second model would leave searches with part of the corpus. Run `npm run fte -- embed --reembed` to move the whole corpus to fte-local-lexical-v2 (256 dimensions), or set EMBEDDING_DIMENSIONS back to 1024.',
    )
    expect(await counts()).toEqual({ documents: 5, embeddings: 5, seed_runs: 1 })
    await expect(embedPendingDocuments(db, other)).rejects.toThrow(/corpus is embedded with/)
  })

  it('refuses a file without the required columns, naming them', async () => {
    const path = await csvFile('columns.csv', ['id,heading', '1,x'])
    await expect(seed(path)).rejects.toThrow(
      'columns.csv has no title, body columns. The first line must name the columns: id,title,body',
    )
    await expect(seed(join(dir, 'missing.csv'))).rejects.toThrow(
      /^there is no file .*missing\.csv$/,
    )
    await expect(seed(dir)).rejects.toThrow(/is a folder; name a \.csv file/)
  })

  it('keeps the import when the embedding provider fails; a later run embeds what is missing', async () => {
    const server = await new ScriptedOpenAiServer(() => ({
      status: 503,
      body: { error: { message: 'overloaded' } },
    })).start()
    try {
      const failing = embedderFor(server)
      const error = await importCsv(db, failing, guidesImport, GUIDES_CSV, {
        actor: 'operator:test',
      }).catch((e: unknown) => e)
      expect((error as Error).message).toMatch(
        /Imported guides\.csv, but embedding its documents with text-embedding-3-small failed: .*\nThe rows are saved; run `fte embed`/,
      )
    } finally {
      await server.stop()
    }
    expect(await counts()).toEqual({ documents: 5, embeddings: 0, seed_runs: 1 })
    const later = await embedPendingDocuments(db, local)
    expect(later.documents).toBe(5)
  })
})
