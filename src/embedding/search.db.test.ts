import { afterEach, beforeEach, expect, it } from 'vitest'
import { fixturePack } from '../../test/fixture-pack/index.ts'
import { describeEachDatabase, type TestDatabase } from '../../test/support/test-databases.ts'
import { conversationCorpus } from '../memory/conversation-summaries.ts'
import { embeddingIndexName, ensureEmbeddingIndex } from '../store/embedding-index.ts'
import { embedPendingDocuments } from './document-indexer.ts'
import type { Embedder } from './embedder.ts'
import { createLocalEmbedder } from './local-embedder.ts'
import { createSearch, searchQuery } from './search.ts'

const local = createLocalEmbedder()

describeEachDatabase('semantic search', (target) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('fixture')
  })
  afterEach(() => db.close())

  async function demoCorpus() {
    await fixturePack.loadDemoData?.(db)
    return embedPendingDocuments(db, local)
  }

  it('embeds every document once: a second run finds nothing to do', async () => {
    const first = await demoCorpus()
    expect(first.documents).toBe(7)
    expect(first.chunks).toBeGreaterThanOrEqual(7)
    const second = await embedPendingDocuments(db, local)
    expect(second).toEqual({ documents: 0, chunks: 0, total: 0 })
    const { rows } = await db.query<{ model: string; dimensions: number; n: number }>(
      'SELECT model, dimensions, count(*)::int AS n FROM embeddings GROUP BY 1, 2',
    )
    expect(rows).toEqual([{ model: 'fte-local-lexical-v2', dimensions: 1024, n: first.chunks }])
  })

  it('returns only the requested source, nearest first, one hit per document', async () => {
    await demoCorpus()
    const search = createSearch(db, local)
    const guides = await search.search({
      text: 'the projector in my room shows no picture',
      source: 'guide',
      k: 3,
    })
    expect(guides).toHaveLength(3)
    expect(
      guides.every((hit) => hit.kind === 'document' && typeof hit.metadata.guide_id === 'string'),
    ).toBe(true)
    expect(new Set(guides.map((hit) => hit.id)).size).toBe(3)
    expect(guides.map((hit) => hit.distance)).toEqual(
      [...guides.map((hit) => hit.distance)].sort((a, b) => a - b),
    )
    // Ranking quality is the packs' to measure (the support pack's labelled set); here, sanity.
    expect(guides[0]?.metadata.topic).toBe('equipment')

    const questions = await search.search({
      text: 'the projector in my room shows no picture',
      source: 'faq',
      k: 5,
    })
    expect(questions.map((hit) => hit.title).sort()).toEqual([
      'Can I book for someone else?',
      'How far ahead can I book?',
    ])
  })

  it('keeps conversation memory apart from documents', async () => {
    await demoCorpus()
    const conversation = await db.query<{ id: string }>(
      `INSERT INTO conversations (user_id, summary) VALUES ('u', 'Asked to move a booking to the Cedar room') RETURNING id`,
    )
    const [vector] = await local.embed(['Asked to move a booking to the Cedar room'])
    await db.query(
      `INSERT INTO embeddings (conversation_id, chunk_index, chunk_text, model, dimensions, embedding)
       VALUES ($1, 0, 'Asked to move a booking to the Cedar room', $2, 1024, $3::vector)`,
      [conversation.rows[0]?.id, local.model, `[${vector?.join(',')}]`],
    )
    await expect(
      createSearch(db, local).search({ text: 'move my booking', source: 'conversation' }),
    ).rejects.toThrow('conversation memory is not searchable here')
    const search = createSearch(db, local, { conversations: conversationCorpus })
    const memory = await search.search({ text: 'move my booking', source: 'conversation', k: 5 })
    expect(memory.map((hit) => [hit.kind, hit.id])).toEqual([
      ['conversation', conversation.rows[0]?.id],
    ])
    const documents = await search.search({ text: 'move my booking', source: 'guide', k: 50 })
    expect(documents.some((hit) => hit.id === conversation.rows[0]?.id)).toBe(false)
  })

  it('refuses to rank a query against a corpus held in another model, naming both', async () => {
    await demoCorpus()
    const other: Embedder = {
      model: 'text-embedding-3-small',
      dimensions: 1536,
      embed: async (t) => t.map(() => []),
    }
    const search = createSearch(db, other)
    await expect(search.search({ text: 'booking', source: 'guide' })).rejects.toThrow(
      /guide corpus is embedded with fte-local-lexical-v2 \(1024 dimensions\), but queries are embedded with text-embedding-3-small \(1536 dimensions\)/,
    )
  })

  it('flags a weak match and returns nothing from an empty corpus', async () => {
    const search = createSearch(db, local, { weakDistance: 0.5 })
    expect(await search.search({ text: 'anything', source: 'guide' })).toEqual([])
    await demoCorpus()
    const hits = await search.search({
      text: 'zebra migration patterns in the savannah',
      source: 'guide',
      k: 3,
    })
    expect(hits.every((hit) => hit.weak)).toBe(true)
  })

  it('says a source no document has is unknown, naming the ones there are', async () => {
    await demoCorpus()
    await expect(
      createSearch(db, local).search({ text: 'booking', source: 'guides' }),
    ).rejects.toThrow(
      'No document has the source "guides". The library holds: faq, guide; conversation memory is "conversation".',
    )
  })

  it('refuses a bad k, an empty text and a malformed source', async () => {
    const search = createSearch(db, local)
    await expect(search.search({ text: 'x', source: 'guide', k: 0 })).rejects.toThrow(/k must be/)
    await expect(search.search({ text: '  ', source: 'guide' })).rejects.toThrow(/1 to 8000/)
    await expect(search.search({ text: 'x', source: "guide'; --" })).rejects.toThrow(
      /not a source name/,
    )
  })

  if (target.name === 'postgres') {
    it('uses the HNSW index for a large corpus (EXPLAIN)', async () => {
      const space = { model: 'explain-test', dimensions: 384 }
      await ensureEmbeddingIndex(db, space)
      await db.exec(`
        INSERT INTO documents (id, source, title, body)
          VALUES ('00000000-0000-4000-8000-000000000001', 'guide', 't', 'b');
        INSERT INTO embeddings (document_id, chunk_index, chunk_text, model, dimensions, embedding)
        SELECT '00000000-0000-4000-8000-000000000001', i, 'c', 'explain-test', 384,
               (SELECT array_agg(random())::vector FROM generate_series(1, 384) WHERE i >= 0)
        FROM generate_series(0, 4999) AS i;
        ANALYZE embeddings; ANALYZE documents;
      `)
      const vector = `[${Array.from({ length: 384 }, (_, i) => (i % 5) / 5).join(',')}]`
      const { sql, params } = searchQuery(space, 'guide', vector, 20)
      const plan = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params)
      expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain(
        `Index Scan using ${embeddingIndexName(space)}`,
      )
    })
  }
})
