import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { describeEachDatabase, type TestDatabase } from '../../../test/support/test-databases.ts'
import { packageRoot } from '../../lib/package-root.ts'
import { createLocalEmbedder } from '../local-embedder.ts'
import { createSearch } from '../search.ts'
import { importMarkdownDocuments } from './import-documents.ts'

const local = createLocalEmbedder()
const POLICIES = join(packageRoot(), 'domains', 'support', 'demo', 'policies')

describeEachDatabase('fte seed --policies <dir>', (target) => {
  let db: TestDatabase
  let dir: string
  beforeEach(async () => {
    db = await target.open('fixture')
    dir = await mkdtemp(join(tmpdir(), 'fte-policies-'))
    await cp(POLICIES, dir, { recursive: true })
  })
  afterEach(async () => {
    await db.close()
    await rm(dir, { recursive: true, force: true })
  })

  const seed = () =>
    importMarkdownDocuments(db, local, dir, { source: 'policy', actor: 'operator:test' })

  async function policyChunks() {
    const { rows } = await db.query<{ external_id: string; title: string; chunk_text: string }>(
      `SELECT d.external_id, d.title, e.chunk_text FROM documents d
       JOIN embeddings e ON e.document_id = d.id
       WHERE d.source = 'policy' ORDER BY d.external_id, e.chunk_index`,
    )
    return rows
  }

  it('adds each markdown file once, titled by its heading; a second run changes nothing', async () => {
    const first = await seed()
    expect(first).toMatchObject({
      files: 3,
      added: ['escalation-policy', 'refund-policy', 'shipping-policy'],
      updated: [],
      unchanged: 0,
    })
    expect(first.embedded.chunks).toBeGreaterThanOrEqual(3)
    const chunks = await policyChunks()
    expect(new Set(chunks.map((c) => c.title))).toEqual(
      new Set(['Escalation policy', 'Refund policy', 'Shipping policy']),
    )
    const second = await seed()
    expect(second).toMatchObject({ added: [], updated: [], unchanged: 3, embedded: { chunks: 0 } })
    expect(await policyChunks()).toEqual(chunks)
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'seed_run'`,
    )
    expect(rows[0]?.n).toBe(1)
  })

  it('replaces a changed policy and its chunks in one step, so search finds the new text', async () => {
    await seed()
    await writeFile(
      join(dir, 'refund-policy.md'),
      '# Refund policy\n\nRefunds for orders paid with store credit are returned as store credit within one hour.\n',
    )
    const result = await seed()
    expect(result).toMatchObject({ added: [], updated: ['refund-policy'], unchanged: 2 })
    const refund = (await policyChunks()).filter((c) => c.external_id === 'refund-policy')
    expect(refund.map((c) => c.chunk_text)).toEqual([
      '# Refund policy\n\nRefunds for orders paid with store credit are returned as store credit within one hour.',
    ])
    const hits = await createSearch(db, local).search({
      text: 'paid with store credit',
      source: 'policy',
      k: 1,
    })
    expect(hits[0]?.title).toBe('Refund policy')
    const { rows } = await db.query<{ result: { updated: string[] } }>(
      `SELECT result FROM audit_log WHERE action = 'seed_run' ORDER BY id DESC LIMIT 1`,
    )
    expect(rows[0]?.result.updated).toEqual(['refund-policy'])
  })

  it('refuses a folder with no markdown, or with an empty file, loading nothing', async () => {
    const empty = join(dir, 'nothing-here')
    await mkdir(empty)
    await expect(
      importMarkdownDocuments(db, local, empty, { source: 'policy', actor: 'operator:test' }),
    ).rejects.toThrow(/has no \.md files to load/)
    await writeFile(join(dir, 'blank.md'), '  \n')
    await expect(seed()).rejects.toThrow(/cannot be loaded, so none were:\n {2}blank\.md: empty/)
    expect(await policyChunks()).toEqual([])
  })
})
