import { afterEach, beforeEach, expect, it } from 'vitest'
import { fixturePack } from '../../test/fixture-pack/index.ts'
import {
  embedderFor,
  embeddingsResponse,
  ScriptedOpenAiServer,
} from '../../test/support/scripted-openai-server.ts'
import { describeEachDatabase, type TestDatabase } from '../../test/support/test-databases.ts'
import {
  conversationSummaries,
  embedPendingConversations,
} from '../memory/conversation-summaries.ts'
import { embeddingIndexName } from '../store/embedding-index.ts'
import { embedPendingDocuments } from './document-indexer.ts'
import { createLocalEmbedder } from './local-embedder.ts'
import { reembedCorpus } from './reembed.ts'
import { createSearch } from './search.ts'

const local = createLocalEmbedder()

describeEachDatabase('fte embed --reembed', (target) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('fixture')
    await fixturePack.loadDemoData?.(db)
    await embedPendingDocuments(db, local)
    await embedPendingConversations(db, local)
  })
  afterEach(() => db.close())

  async function models() {
    const { rows } = await db.query<{ model: string; dimensions: number; n: number }>(
      'SELECT model, dimensions, count(*)::int AS n FROM embeddings GROUP BY 1, 2 ORDER BY 1, 2',
    )
    return rows
  }

  it('moves documents and conversation summaries to the new model and removes the old', async () => {
    const before = await models()
    expect(before).toHaveLength(1)
    const oldChunks = before[0]?.n ?? 0
    const smaller = createLocalEmbedder(256)
    const result = await reembedCorpus(db, smaller, conversationSummaries)
    // 7 demo documents (5 guides, 2 questions); the demo conversation is ended with a summary.
    expect(result).toMatchObject({
      model: smaller.model,
      dimensions: 256,
      documents: 7,
      conversations: 1,
    })
    expect(result.removed).toEqual([{ model: local.model, dimensions: 1024, chunks: oldChunks }])
    expect(await models()).toEqual([{ model: smaller.model, dimensions: 256, n: result.chunks }])

    const { rows: indexes } = await db.query<{ indexname: string }>(
      `SELECT indexname FROM pg_indexes WHERE indexname LIKE 'embeddings_hnsw_%'`,
    )
    expect(indexes.map((i) => i.indexname)).toEqual([embeddingIndexName(smaller)])

    const hits = await createSearch(db, smaller).search({
      text: 'the projector shows no picture',
      source: 'guide',
    })
    expect(hits.length).toBeGreaterThan(0)
    await expect(
      createSearch(db, local).search({ text: 'the projector shows no picture', source: 'guide' }),
    ).rejects.toThrow(
      /embedded with fte-local-lexical-v2 \(256 dimensions\), but queries are embedded with fte-local-lexical-v2 \(1024 dimensions\)/,
    )

    const nothing = await reembedCorpus(db, smaller, conversationSummaries)
    expect(nothing).toMatchObject({ documents: 0, conversations: 0, chunks: 0, removed: [] })
  })

  it('changes nothing when the new model fails part-way', async () => {
    const before = await models()
    let calls = 0
    const server = await new ScriptedOpenAiServer((request) => {
      calls++
      return calls === 1
        ? embeddingsResponse(request, 8)
        : { status: 500, body: { error: { message: 'model crashed' } } }
    }).start()
    try {
      const failing = embedderFor(server)
      await expect(
        reembedCorpus(db, failing, conversationSummaries, { batchSize: 16 }),
      ).rejects.toThrow()
      expect(calls).toBe(2)
    } finally {
      await server.stop()
    }
    expect(await models()).toEqual(before)
    const hits = await createSearch(db, local).search({
      text: 'the projector shows no picture',
      source: 'guide',
    })
    expect(hits.length).toBeGreaterThan(0)
  })
})
