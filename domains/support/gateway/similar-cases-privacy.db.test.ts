import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest'
import type { Identity } from '../../../src/auth/identity.ts'
import { embedPendingDocuments } from '../../../src/embedding/document-indexer.ts'
import { importCsv } from '../../../src/embedding/ingest/import-csv.ts'
import { createLocalEmbedder } from '../../../src/embedding/local-embedder.ts'
import { describeEachEraAndDatabase } from '../../../test/support/each-era-and-database.ts'
import { begin, call, connect, testGateway } from '../../../test/support/gateway-client.ts'
import { MAYA, STAFF } from '../../../test/support/support-scenario.ts'
import type { TestDatabase } from '../../../test/support/test-databases.ts'
import { resolvedTicketsImport } from '../csv-import.ts'
import { loadDemoData } from '../demo/load-demo-data.ts'
import { retrievalQueries } from '../demo/retrieval-queries.ts'
import { supportPack } from '../index.ts'
import { supportLexicon } from '../lexicon.ts'

const local = createLocalEmbedder(1024, supportLexicon)
const PHONE = '+1 (415) 555-0188'
/** Daniel Reyes's case as an import older than the scrubbing stored it: the check at answer time. */
const UNSCRUBBED =
  `Daniel Reyes (daniel.reyes@example.org, ${PHONE}) says parcel #4128 for T-1001 came crushed.` +
  '\n\nResolution: Sent a replacement crushed-parcel kit by courier.'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fte-similar-cases-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describeEachEraAndDatabase('similar cases without other people in them', (target, era) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('support')
    await loadDemoData(db)
    await db.query(
      `INSERT INTO documents (source, external_id, title, body, metadata)
       VALUES ('past_case', 'T-1001-old', $1, $2, '{"ticket_id": "T-1001"}')`,
      [UNSCRUBBED.split('\n\n')[0], UNSCRUBBED],
    )
    await embedPendingDocuments(db, local)
  })
  afterEach(() => db.close())

  /** Every ticket id, name, email and order number of customers other than `sub`. */
  async function othersValues(sub: string): Promise<string[]> {
    const { rows } = await db.query<{ value: string }>(
      `SELECT value FROM (
         SELECT c.name AS value, c.auth_subject AS owner FROM customers c
         UNION ALL SELECT c.email, c.auth_subject FROM customers c
         UNION ALL SELECT o.public_id, c.auth_subject FROM orders o JOIN customers c ON c.id = o.customer_id
         UNION ALL SELECT t.public_id, c.auth_subject FROM tickets t JOIN customers c ON c.id = t.customer_id
       ) v WHERE owner IS DISTINCT FROM $1`,
      [sub],
    )
    return [...rows.map((r) => r.value), PHONE]
  }

  async function searchAs(identity: Identity, descriptions: readonly string[]) {
    const client = await connect(await testGateway(db, { pack: supportPack }), identity, era)
    const session = await begin(client)
    const replies = []
    for (const description of descriptions) {
      const reply = await call(client, 'domain_find_similar_cases', {
        session,
        description,
        limit: 10,
      })
      expect(reply.isError, reply.text).toBe(false)
      replies.push(reply)
    }
    return replies
  }

  const DESCRIPTIONS = [
    ...retrievalQueries.map((q) => q.query),
    'my parcel came crushed, can I get a replacement kit by courier?',
  ]

  it("gives a customer precedents with no other customer's ticket id, name, email, phone or order number", async () => {
    const replies = await searchAs(MAYA, DESCRIPTIONS)
    const answered = replies.map((r) => `${JSON.stringify(r.data)}\n${r.text}`).join('\n')
    const leaks = (await othersValues(MAYA.sub)).filter((value) =>
      new RegExp(
        `(?<![\\w.@-])${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w@-])`,
        'i',
      ).test(answered),
    )
    expect(leaks).toEqual([])
    // Not vacuous: the precedents are there, the crushed parcel among them, with placeholders.
    const cases = replies.flatMap((r) => r.data.cases as Array<Record<string, unknown>>)
    expect(cases.length).toBeGreaterThan(DESCRIPTIONS.length * 5)
    expect(answered).toContain(
      '[customer] ([email], [phone]) says parcel [order] for [ticket] came crushed.',
    )
  })

  it('gives a customer the ids of their own tickets only, and staff the id of every case', async () => {
    const { rows } = await db.query<{ public_id: string; sub: string | null }>(
      `SELECT t.public_id, c.auth_subject AS sub FROM tickets t JOIN customers c ON c.id = t.customer_id`,
    )
    const owner = new Map(rows.map((r) => [r.public_id, r.sub]))
    const ids = (replies: Awaited<ReturnType<typeof searchAs>>) =>
      replies.flatMap((r) =>
        (r.data.cases as Array<{ ticket_id: string | null }>).map((c) => c.ticket_id),
      )
    const mayas = ids(await searchAs(MAYA, DESCRIPTIONS)).filter((id) => id !== null)
    expect(mayas.every((id) => owner.get(id) === MAYA.sub)).toBe(true)
    const staffs = ids(await searchAs(STAFF, DESCRIPTIONS))
    expect(staffs.every((id) => id !== null && owner.has(id))).toBe(true)
    expect(new Set(staffs.filter((id) => owner.get(id ?? '') !== MAYA.sub)).size).toBeGreaterThan(
      30,
    )
  })

  it("stores a CSV row whose text holds an email, a phone number and a customer's name scrubbed", async () => {
    const path = join(dir, `${target.name}.csv`)
    await writeFile(
      path,
      'id,customer_email,summary,resolution\n' +
        `9001,new.person@example.com,"Maya Okafor says her order #4429 never came; call her on ${PHONE} or maya.okafor@example.com",` +
        '"Priya Raman from the warehouse found it, and we emailed priya.raman@example.net."\n',
    )
    await importCsv(db, local, resolvedTicketsImport, path, { actor: 'operator:test' })
    const { rows } = await db.query<{
      title: string
      body: string
      chunks: string
      summary: string
    }>(
      `SELECT d.title, d.body, string_agg(e.chunk_text, ' ') AS chunks, t.summary
       FROM documents d JOIN embeddings e ON e.document_id = d.id
       JOIN tickets t ON t.public_id = d.metadata->>'ticket_id'
       WHERE d.external_id = 'T-9001' GROUP BY d.title, d.body, t.summary`,
    )
    expect(rows).toHaveLength(1)
    const stored = rows[0]
    expect(stored?.body).toBe(
      '[customer] says her order [order] never came; call her on [phone] or [email]\n\n' +
        'Resolution: [customer] from the warehouse found it, and we emailed [email].',
    )
    expect(`${stored?.title} ${stored?.chunks}`).not.toMatch(/Maya|Okafor|Priya|Raman|@|4429|555/)
    // The ticket is the customer's record, and keeps their words.
    expect(stored?.summary).toContain('maya.okafor@example.com')
  })
})
