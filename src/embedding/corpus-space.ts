import { CallerError } from '../lib/errors.ts'
import type { Queryable } from '../store/database.ts'
import type { EmbeddingSpace } from '../store/embedding-index.ts'

/** "m (1024 dimensions), n (1536 dimensions)" */
export function describeSpaces(spaces: readonly EmbeddingSpace[]): string {
  return spaces.map((s) => `${s.model} (${s.dimensions} dimensions)`).join(', ')
}

/** What to do when the corpus holds `held` but the configuration asks for `wanted`. */
export function mismatchAdvice(held: readonly EmbeddingSpace[], wanted: EmbeddingSpace): string {
  const sameModel = held.every((s) => s.model === wanted.model)
  const back = sameModel
    ? `set EMBEDDING_DIMENSIONS back to ${held.map((s) => s.dimensions).join(' or ')}`
    : 'set EMBEDDING_PROVIDER, EMBEDDING_MODEL and EMBEDDING_DIMENSIONS back to what the corpus holds'
  return (
    `Run \`npm run fte -- embed --reembed\` to move the whole corpus to ${describeSpaces([wanted])}, ` +
    `or ${back}.`
  )
}

/**
 * Refuses to add vectors of one model to a corpus held in another. Only `fte embed --reembed`
 * moves a corpus between models, all at once; embedding new documents in a new model one by one
 * would leave a search in either model with part of the corpus.
 */
export async function assertCorpusSpace(q: Queryable, wanted: EmbeddingSpace): Promise<void> {
  const rows = await otherSpaces(q, wanted)
  if (rows.length === 0) return
  throw new CallerError(
    'embedding_model_mismatch',
    `The corpus is embedded with ${describeSpaces(rows)}, but the configuration embeds with ` +
      `${describeSpaces([wanted])}; adding vectors of a second model would leave searches with ` +
      `part of the corpus. ${mismatchAdvice(rows, wanted)}`,
  )
}

/** The spaces the corpus holds besides `wanted`. */
export async function otherSpaces(q: Queryable, wanted: EmbeddingSpace): Promise<EmbeddingSpace[]> {
  const { rows } = await q.query<{ model: string; dimensions: number }>(
    `SELECT model, dimensions FROM embeddings WHERE NOT (model = $1 AND dimensions = $2)
     GROUP BY model, dimensions ORDER BY model, dimensions`,
    [wanted.model, wanted.dimensions],
  )
  return rows
}
