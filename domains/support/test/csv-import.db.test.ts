import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest'
import type { CsvImport } from '../../../src/embedding/ingest/csv-import-contract.ts'
import {
  type CsvImportReport,
  CsvRowsError,
  importCsv,
} from '../../../src/embedding/ingest/import-csv.ts'
import { createLocalEmbedder } from '../../../src/embedding/local-embedder.ts'
import { createSearch } from '../../../src/embedding/search.ts'
import { InvalidInputError } from '../../../src/lib/errors.ts'
import { packageRoot } from '../../../src/lib/package-root.ts'
import { describeEachDatabase, type TestDatabase } from '../../../test/support/test-databases.ts'
import { resolvedTicketsImport } from '../csv-import.ts'
import { supportLexicon } from '../lexicon.ts'

const local = createLocalEmbedder(1024, supportLexicon)
const SAMPLE = join(packageRoot(), 'domains', 'support', 'demo', 'resolved-tickets.csv')
const HEADER = 'id,customer_email,summary,resolution'

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

describeEachDatabase('fte seed <file.csv> on the support pack', (target) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('support')
  })
  afterEach(() => db.close())

  const seed = (path: string, skipBadRows = false) =>
    importCsv(db, local, resolvedTicketsImport, path, { actor: 'operator:test', skipBadRows })

  async function counts() {
    const { rows } = await db.query<{ table: string; n: number }>(
      `SELECT 'customers' AS table, count(*)::int AS n FROM customers
       UNION ALL SELECT 'tickets', count(*)::int FROM tickets
       UNION ALL SELECT 'documents', count(*)::int FROM documents
       UNION ALL SELECT 'embeddings', count(*)::int FROM embeddings
       UNION ALL SELECT 'seed_runs', count(*)::int FROM audit_log WHERE action = 'seed_run'`,
    )
    return Object.fromEntries(rows.map((r) => [r.table, r.n]))
  }

  it('imports the seed-shaped CSV: customers by email, resolved tickets, past cases, vectors', async () => {
    const result = await seed(SAMPLE)
    // 12 rows; sara, raj and mei appear twice, so 9 distinct customers.
    expect(result).toMatchObject<Partial<CsvImportReport>>({
      file: 'resolved-tickets.csv',
      rows: 12,
      inserted: { customers: 9, tickets: 12, documents: 12 },
      unchanged: 0,
      skipped: [],
      embedded: { documents: 12, chunks: 12, model: local.model },
    })
    expect(await counts()).toEqual({
      customers: 9,
      tickets: 12,
      documents: 12,
      embeddings: 12,
      seed_runs: 1,
    })

    const { rows: tickets } = await db.query<{
      public_id: string
      status: string
      email: string
      tier: string
      metadata: { ticket_id: string }
      body: string
    }>(
      `SELECT t.public_id, t.status, c.email, c.tier, d.metadata, d.body
       FROM tickets t JOIN customers c ON c.id = t.customer_id
       JOIN documents d ON d.source = 'past_case' AND d.external_id = t.public_id
       WHERE t.public_id = 'T-3'`,
    )
    expect(tickets).toEqual([
      {
        public_id: 'T-3',
        status: 'resolved',
        email: 'mei@example.com',
        tier: 'free',
        metadata: { ticket_id: 'T-3' },
        body: expect.stringMatching(/^Duplicate charge on a single order\n\nResolution: Gateway/),
      },
    ])

    const { rows: audit } = await db.query<{ actor: string; target: string; result: unknown }>(
      `SELECT actor, target, result FROM audit_log WHERE action = 'seed_run'`,
    )
    expect(audit).toEqual([
      {
        actor: 'operator:test',
        target: 'csv:resolved-tickets.csv',
        result: {
          inserted: { customers: 9, tickets: 12, documents: 12 },
          unchanged: 0,
          skipped_rows: [],
        },
      },
    ])

    const hits = await createSearch(db, local).search({
      text: 'I was billed two times for the same purchase',
      source: 'past_case',
      k: 3,
    })
    expect(hits.map((h) => h.metadata.ticket_id)).toContain('T-3')
  })

  it('adds nothing when the same file runs again, and writes no second audit row', async () => {
    await seed(SAMPLE)
    const before = await counts()
    const again = await seed(SAMPLE)
    expect(again).toMatchObject({
      inserted: { customers: 0, tickets: 0, documents: 0 },
      unchanged: 12,
      skipped: [],
      embedded: { documents: 0, chunks: 0 },
    })
    expect(await counts()).toEqual(before)
  })

  it('lets two seeds of one file run at once: one imports, the other finds it done', async () => {
    // Each import waits (up to 300 ms) for the other to reach the same point, so without the
    // seed lock both would check for existing tickets before either had written any.
    let arrived = 0
    const rendezvous: CsvImport = {
      ...resolvedTicketsImport,
      async importRecords(tx, records) {
        arrived++
        for (let waited = 0; arrived < 2 && waited < 300; waited += 10) {
          await new Promise((resolve) => setTimeout(resolve, 10))
        }
        return resolvedTicketsImport.importRecords(tx, records)
      },
    }
    const run = () => importCsv(db, local, rendezvous, SAMPLE, { actor: 'operator:test' })
    const [a, b] = await Promise.all([run(), run()])
    expect([a.inserted.tickets, b.inserted.tickets].sort()).toEqual([0, 12])
    expect([a.unchanged, b.unchanged].sort()).toEqual([0, 12])
    expect(await counts()).toMatchObject({
      tickets: 12,
      documents: 12,
      embeddings: 12,
      seed_runs: 1,
    })
  })

  it('refuses a file with bad rows, listing each with its line and reason, and writes nothing', async () => {
    const path = await csvFile('bad.csv', [
      HEADER,
      '1,sara@example.com,Refund missing,Re-triggered the refund',
      'abc,raj@example.com,Login fails,Cleared the session',
      '3,not-an-email,Duplicate charge,Voided the duplicate',
      '4,omar@example.com,Discount rejected,',
      '1,ben@example.com,Repeated id,Something',
      '6,ana@example.com,Too,many,fields',
      '"7",kofi@example.com,"Quoted, with a comma","Fine, too"',
    ])
    const error = await seed(path).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CsvRowsError)
    expect(error).toBeInstanceOf(InvalidInputError)
    expect(error).toMatchObject({ code: 'seed_rows_invalid', fault: 'caller' })
    const problems = (error as CsvRowsError).problems
    expect(problems.map((p) => p.line)).toEqual([3, 4, 5, 6, 7])
    expect(problems.map((p) => p.reason)).toEqual([
      'id "abc" is neither a number (1042) nor a ticket id (T-1042)',
      'customer_email "not-an-email" is not an email address',
      'resolution is empty (only resolved tickets can be imported)',
      'ticket T-1 is already on line 2',
      'has 5 fields, the header has 4 (a comma inside a value must be quoted)',
    ])
    expect((error as Error).message).toContain('5 of 7 rows in bad.csv cannot be imported')
    expect((error as Error).message).toContain('--skip-bad-rows to import the 2 good rows')
    expect(await counts()).toEqual({
      customers: 0,
      tickets: 0,
      documents: 0,
      embeddings: 0,
      seed_runs: 0,
    })

    const skipping = await seed(path, true)
    expect(skipping.inserted).toEqual({ customers: 2, tickets: 2, documents: 2 })
    expect(skipping.skipped.map((p) => p.line)).toEqual([3, 4, 5, 6, 7])
    const { rows } = await db.query<{ result: { skipped_rows: { line: number }[] } }>(
      `SELECT result FROM audit_log WHERE action = 'seed_run'`,
    )
    expect(rows[0]?.result.skipped_rows.map((p) => p.line)).toEqual([3, 4, 5, 6, 7])
    const { rows: quoted } = await db.query<{ summary: string }>(
      `SELECT summary FROM tickets WHERE public_id = 'T-7'`,
    )
    expect(quoted).toEqual([{ summary: 'Quoted, with a comma' }])
  })

  it('reports a row that contradicts a ticket already stored', async () => {
    await seed(SAMPLE)
    const path = await csvFile('conflict.csv', [
      HEADER,
      '3,mei@example.com,Duplicate charge on a single order,A different resolution',
      'T-13,new@example.com,A new ticket,Its resolution',
    ])
    const error = (await seed(path).catch((e: unknown) => e)) as CsvRowsError
    expect(error.problems).toEqual([
      {
        line: 2,
        reason:
          'ticket T-3 already exists with a different resolution; give the row a new id or leave it out',
      },
    ])
    const skipping = await seed(path, true)
    expect(skipping.inserted.tickets).toBe(1)
  })
})
