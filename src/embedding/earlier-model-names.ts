import type { Database } from '../store/database.ts'
import { embeddingIndexName } from '../store/embedding-index.ts'
import type { Embedder } from './embedder.ts'

/**
 * Renames the chunks stored under one of the embedder's earlier names (the same vectors under
 * another name) to its name, and drops their earlier index: the corpus stays searchable without
 * being embedded again. Returns how many chunks were renamed; 0 when there were none.
 */
export async function adoptEarlierModelNames(db: Database, embedder: Embedder): Promise<number> {
  const earlier = embedder.earlierModelNames ?? []
  if (earlier.length === 0) return 0
  // Nothing to rename on every start but the first after an upgrade: no lock for that.
  const { rows } = await db.query(
    'SELECT 1 FROM embeddings WHERE model = ANY($1::text[]) AND dimensions = $2 LIMIT 1',
    [earlier, embedder.dimensions],
  )
  if (rows.length === 0) return 0
  return db.transaction(async (tx) => {
    // No import, start-up embedding or re-embed adds chunks under either name meanwhile.
    await tx.exec('LOCK TABLE embeddings IN SHARE ROW EXCLUSIVE MODE')
    const { rowCount } = await tx.query(
      'UPDATE embeddings SET model = $1 WHERE model = ANY($2::text[]) AND dimensions = $3',
      [embedder.model, earlier, embedder.dimensions],
    )
    if (rowCount > 0) {
      for (const model of earlier) {
        const index = embeddingIndexName({ model, dimensions: embedder.dimensions })
        await tx.exec(`DROP INDEX IF EXISTS ${index}`)
      }
    }
    return rowCount
  })
}
