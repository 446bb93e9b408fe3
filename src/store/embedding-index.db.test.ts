import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { describeEachDatabase, type TestDatabase } from '../../test/support/test-databases.ts'
import {
  embeddingExpression,
  embeddingIndexName,
  embeddingSpacePredicate,
  embeddingVectorType,
  ensureEmbeddingIndex,
} from './embedding-index.ts'
import { quoteLiteral } from './sql-quote.ts'

describe('embedding index naming', () => {
  it('uses vector up to 2000 dimensions and halfvec up to 4000', () => {
    expect(embeddingVectorType(1536)).toBe('vector')
    expect(embeddingVectorType(3072)).toBe('halfvec')
    expect(() => embeddingVectorType(4097)).toThrow(/1 to 4000/)
  })

  it('gives each model and dimension its own index', () => {
    const a = embeddingIndexName({ model: 'text-embedding-3-small', dimensions: 1536 })
    expect(a).toMatch(/^embeddings_hnsw_[0-9a-f]{16}$/)
    expect(embeddingIndexName({ model: 'text-embedding-3-small', dimensions: 512 })).not.toBe(a)
  })

  it('quotes model names safely for DDL', () => {
    expect(quoteLiteral("o'brien/model")).toBe("'o''brien/model'")
    expect(embeddingSpacePredicate({ model: "x'; DROP TABLE audit_log; --", dimensions: 3 })).toBe(
      "model = 'x''; DROP TABLE audit_log; --' AND dimensions = 3",
    )
  })
})

describeEachDatabase('the embedding index', (target) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('fixture')
  })
  afterEach(() => db.close())

  it('is created once per model and used by a nearest-neighbour search filtered to that model', async () => {
    const space = { model: 'test-model', dimensions: 3 }
    expect((await ensureEmbeddingIndex(db, space)).created).toBe(true)
    expect((await ensureEmbeddingIndex(db, space)).created).toBe(false)

    await db.exec(`
      INSERT INTO documents (id, source, title, body) VALUES
        ('00000000-0000-4000-8000-000000000001', 'kb_article', 'a', 'a');
      INSERT INTO embeddings (document_id, chunk_index, chunk_text, model, dimensions, embedding)
      SELECT '00000000-0000-4000-8000-000000000001', i, 'chunk ' || i, 'test-model', 3,
             ARRAY[random(), random(), random()]::vector
      FROM generate_series(0, 199) AS i;
      INSERT INTO embeddings (document_id, chunk_index, chunk_text, model, dimensions, embedding)
      VALUES ('00000000-0000-4000-8000-000000000001', 0, 'other model', 'other-model', 4, '[1,0,0,0]');
    `)
    const search = `SELECT chunk_text FROM embeddings WHERE ${embeddingSpacePredicate(space)}
      ORDER BY ${embeddingExpression(3)} <=> '[1,0,0]'::vector(3) LIMIT 5`
    const plan = await db.transaction(async (tx) => {
      await tx.exec('SET LOCAL enable_seqscan = off')
      return tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${search}`)
    })
    expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain(embeddingIndexName(space))
    const { rows } = await db.query<{ chunk_text: string }>(search)
    expect(rows).toHaveLength(5)
    expect(rows.every((r) => r.chunk_text.startsWith('chunk '))).toBe(true)
  })

  it('indexes models wider than 2000 dimensions as halfvec', async () => {
    const space = { model: 'wide', dimensions: 3072 }
    await ensureEmbeddingIndex(db, space)
    const { rows } = await db.query<{ indexdef: string }>(
      'SELECT indexdef FROM pg_indexes WHERE indexname = $1',
      [embeddingIndexName(space)],
    )
    expect(rows[0]?.indexdef).toMatch(/halfvec\(3072\).*halfvec_cosine_ops/)
  })
})
