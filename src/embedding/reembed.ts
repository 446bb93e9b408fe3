import type { Database, Queryable } from '../store/database.ts'
import { ensureEmbeddingIndex } from '../store/embedding-index.ts'
import { embedDocuments, type IndexProgress, insertEmbeddings } from './document-indexer.ts'
import type { Embedder } from './embedder.ts'

/** A corpus beside documents whose items carry chunks of their own: conversation summaries. */
export interface EmbeddedCorpus {
  /** How many of its items have no chunks in the embedder's model. */
  waiting(q: Queryable, embedder: Embedder): Promise<number>
  /** Embeds those items, on `q`. */
  embedWaiting(
    q: Queryable,
    embedder: Embedder,
    options: { batchSize?: number; onProgress?: (progress: IndexProgress) => void },
  ): Promise<IndexProgress>
}

export interface ReembedResult {
  model: string
  dimensions: number
  documents: number
  conversations: number
  chunks: number
  /** What was removed: the other models' chunks. */
  removed: Array<{ model: string; dimensions: number; chunks: number }>
}

/**
 * Moves the whole corpus (documents and conversation summaries) to the embedder's model in one
 * transaction: everything not yet embedded with it is embedded and inserted, then every other
 * model's chunks are deleted, and only then does anything become visible. A search in the new model
 * sees nothing of the new vectors until the whole corpus is there; a search in the old model sees
 * the old corpus whole until the commit, and is refused with both model names after it. A failure
 * part-way rolls everything back. Writers of embeddings wait for the commit.
 */
export async function reembedCorpus(
  db: Database,
  embedder: Embedder,
  summaries: EmbeddedCorpus,
  options: { batchSize?: number; onProgress?: (progress: IndexProgress) => void } = {},
): Promise<ReembedResult> {
  const batchSize = options.batchSize ?? 64
  // Outside the transaction: CREATE INDEX would lock the table against writers until the commit.
  const { name: keep } = await ensureEmbeddingIndex(db, embedder)
  const result = await db.transaction(async (tx) => {
    // No other corpus writer (an import, start-up embedding, another re-embed) runs in between.
    await tx.exec('LOCK TABLE embeddings IN SHARE ROW EXCLUSIVE MODE')
    const { rows: documents } = await tx.query<{ id: string; title: string; body: string }>(
      `SELECT d.id, d.title, d.body FROM documents d
       WHERE NOT EXISTS (SELECT 1 FROM embeddings e
                         WHERE e.document_id = d.id AND e.model = $1 AND e.dimensions = $2)
       ORDER BY d.created_at, d.id`,
      [embedder.model, embedder.dimensions],
    )
    const conversationsWaiting = await summaries.waiting(tx, embedder)
    const progress: IndexProgress = {
      documents: 0,
      chunks: 0,
      total: documents.length + conversationsWaiting,
    }
    options.onProgress?.(progress)
    for (let i = 0; i < documents.length; i += batchSize) {
      const batch = documents.slice(i, i + batchSize)
      const chunks = await embedDocuments(embedder, batch)
      await insertEmbeddings(tx, embedder, chunks)
      progress.documents += batch.length
      progress.chunks += chunks.length
      options.onProgress?.(progress)
    }
    const before = { ...progress }
    const conversations = await summaries.embedWaiting(tx, embedder, {
      batchSize,
      onProgress: (p) =>
        options.onProgress?.({
          documents: before.documents + p.documents,
          chunks: before.chunks + p.chunks,
          total: progress.total,
        }),
    })
    const { rows: removed } = await tx.query<{ model: string; dimensions: number; chunks: number }>(
      `WITH gone AS (
         DELETE FROM embeddings WHERE NOT (model = $1 AND dimensions = $2)
         RETURNING model, dimensions)
       SELECT model, dimensions, count(*)::int AS chunks FROM gone
       GROUP BY model, dimensions ORDER BY model, dimensions`,
      [embedder.model, embedder.dimensions],
    )
    return {
      model: embedder.model,
      dimensions: embedder.dimensions,
      documents: documents.length,
      conversations: conversations.documents,
      chunks: progress.chunks + conversations.chunks,
      removed,
    }
  })
  // The other models' indexes now cover no rows.
  const { rows: stale } = await db.query<{ indexname: string }>(
    `SELECT indexname FROM pg_indexes
     WHERE tablename = 'embeddings' AND indexname LIKE 'embeddings\\_hnsw\\_%' AND indexname <> $1`,
    [keep],
  )
  for (const { indexname } of stale) {
    if (/^embeddings_hnsw_[0-9a-f]{16}$/.test(indexname)) {
      await db.exec(`DROP INDEX IF EXISTS ${indexname}`)
    }
  }
  return result
}
