import { createHash } from 'node:crypto'
import { CallerError } from '../lib/errors.ts'
import type { Database, Queryable } from './database.ts'
import { quoteLiteral } from './sql-quote.ts'

export interface EmbeddingSpace {
  model: string
  dimensions: number
}

/** pgvector's HNSW limits: `vector` up to 2,000 dimensions, `halfvec` up to 4,000. */
export function embeddingVectorType(dimensions: number): 'vector' | 'halfvec' {
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > 4000) {
    throw new CallerError(
      'embedding_dimensions_unsupported',
      `An HNSW index supports 1 to 4000 dimensions; the embedding model has ${dimensions}`,
    )
  }
  return dimensions <= 2000 ? 'vector' : 'halfvec'
}

/** The indexed expression; a search must order by exactly this to use the index. */
export function embeddingExpression(dimensions: number): string {
  return `(embedding::${embeddingVectorType(dimensions)}(${dimensions}))`
}

/** The rows of one embedding space; a search must filter by exactly this to use the index. */
export function embeddingSpacePredicate(space: EmbeddingSpace): string {
  return `model = ${quoteLiteral(space.model)} AND dimensions = ${space.dimensions}`
}

export function embeddingIndexName(space: EmbeddingSpace): string {
  const digest = createHash('sha256').update(`${space.model}\n${space.dimensions}`).digest('hex')
  return `embeddings_hnsw_${digest.slice(0, 16)}`
}

/** HNSW build parameters: links per node (`m`) and the candidate list while building. */
export interface HnswBuild {
  m: number
  efConstruction: number
}

/**
 * pgvector's defaults, kept after measuring (bench/vector-search.bench.ts): with `hnsw.ef_search`
 * at the search's default they reach the recall target at 100k vectors.
 */
export const DEFAULT_HNSW_BUILD: HnswBuild = { m: 16, efConstruction: 64 }

/**
 * Creates the HNSW cosine index for one model's embeddings when it is missing: a partial index over
 * that model's rows, cast to its fixed dimension, so the index is usable whatever the model.
 */
export async function ensureEmbeddingIndex(
  db: Database,
  space: EmbeddingSpace,
  build: HnswBuild = DEFAULT_HNSW_BUILD,
): Promise<{ name: string; created: boolean }> {
  const name = embeddingIndexName(space)
  const exists = async (q: Queryable) =>
    (await q.query('SELECT 1 FROM pg_indexes WHERE indexname = $1', [name])).rowCount > 0
  if (await exists(db)) return { name, created: false }
  const ops = `${embeddingVectorType(space.dimensions)}_cosine_ops`
  // Two processes creating the same index at once collide in the catalog even with IF NOT EXISTS:
  // they take turns, and the second finds the index made.
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`fte:index:${name}`])
    if (await exists(tx)) return { name, created: false }
    await tx.exec(
      `CREATE INDEX IF NOT EXISTS ${name} ON embeddings USING hnsw ` +
        `(${embeddingExpression(space.dimensions)} ${ops}) ` +
        `WITH (m = ${Math.trunc(build.m)}, ef_construction = ${Math.trunc(build.efConstruction)}) ` +
        `WHERE ${embeddingSpacePredicate(space)}`,
    )
    return { name, created: true }
  })
}
