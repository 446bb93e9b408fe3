import { CallerError, InvalidInputError } from '../lib/errors.ts'
import type { JsonObject } from '../lib/json.ts'
import type { Database, Queryable } from '../store/database.ts'
import {
  type EmbeddingSpace,
  embeddingExpression,
  embeddingSpacePredicate,
  embeddingVectorType,
} from '../store/embedding-index.ts'
import { describeSpaces, mismatchAdvice } from './corpus-space.ts'
import { type Embedder, toVectorLiteral } from './embedder.ts'

/** A document source such as `past_case` or `policy`, or `conversation` for conversation memory. */
export type SearchSource = string

export interface SearchRequest {
  text: string
  source: SearchSource
  /** How many results; 1 to 50. Default 5. */
  k?: number
  /** Conversation memory only: search just this user's conversations (the verified `sub`). */
  userId?: string
}

export interface SearchHit {
  kind: 'document' | 'conversation'
  /** The document's or the conversation's id. */
  id: string
  /** The document's title; null for a conversation (its summary is the chunk). */
  title: string | null
  /** The document's id in its source (a CSV row's id, a markdown file's name); null for a conversation. */
  externalId: string | null
  /** The best-matching chunk of that document or conversation. */
  chunk: string
  chunkIndex: number
  /** Cosine distance: 0 is identical, 1 unrelated, 2 opposite. */
  distance: number
  /** The distance is above the weak-match threshold: treat as "nothing similar found". */
  weak: boolean
  metadata: JsonObject
}

/**
 * Conversation memory as a corpus: the owner of conversations says how a summary chunk joins its
 * conversation and whose it is, so this module holds no SQL on conversations.
 */
export interface ConversationCorpus {
  /**
   * The FROM and WHERE over `embeddings e` for conversation chunks, the conversation as `p`:
   * `spacePredicate` must stand in the WHERE (it is what lets the planner use the HNSW index), and
   * `$3` is the person whose conversations count (null: anyone's).
   */
  from(spacePredicate: string): string
}

export interface SearchOptions {
  /** Conversation memory (source `conversation`); unset: that source is refused. */
  conversations?: ConversationCorpus
  /** Results farther than this are flagged weak. */
  weakDistance?: number
  /** HNSW candidate list size: higher finds more true neighbours, slower. */
  efSearch?: number
}

/**
 * The default weak-match threshold (cosine distance). Measured with the local embedder on the demo
 * corpus: the right past case for a labelled question sits at a median of 0.80 (p90 0.89), the best
 * match for an off-topic question (weather, recipes) at 0.79–0.96, six of eight above 0.85. Lexical
 * distances overlap, so the flag is a hint, not a verdict; a semantic model separates them better.
 */
export const DEFAULT_WEAK_DISTANCE = 0.85

/**
 * The HNSW candidate list a search scans by default (at least 4 × k). Measured in
 * bench/vector-search.bench.ts against an exact scan: see the README's benchmark figures.
 */
export const DEFAULT_EF_SEARCH = 100

export interface Search {
  /** `on`: run inside that open transaction (a gateway tool's) instead of a new one. */
  search(request: SearchRequest, on?: Queryable): Promise<SearchHit[]>
}

/**
 * Nearest-neighbour search over one source at a time, always in the query embedder's own model:
 * vectors of another model are never ranked, and a corpus held only in another model is refused
 * with both names.
 */
export function createSearch(
  db: Database,
  embedder: Embedder,
  options: SearchOptions = {},
): Search {
  const weakDistance = options.weakDistance ?? DEFAULT_WEAK_DISTANCE
  const space = { model: embedder.model, dimensions: embedder.dimensions }
  return {
    async search(request, on) {
      const k = request.k ?? 5
      if (!Number.isInteger(k) || k < 1 || k > 50) {
        throw new InvalidInputError('k must be a whole number from 1 to 50')
      }
      const text = request.text.trim()
      if (text === '' || text.length > 8000) {
        throw new InvalidInputError('the search text must have 1 to 8000 characters')
      }
      if (!/^[a-z][a-z0-9_]*$/.test(request.source)) {
        throw new InvalidInputError(`"${request.source}" is not a source name`)
      }
      const conversations = request.source === 'conversation'
      if (request.userId !== undefined && !conversations) {
        throw new InvalidInputError('a user filter applies to conversation memory only')
      }
      if (conversations && options.conversations === undefined) {
        throw new InvalidInputError('conversation memory is not searchable here')
      }
      await refuseOtherModels(on ?? db, embedder, request.source, conversations)

      const [vector] = await embedder.embed([text])
      // Several chunks of one document may match: ask for more, keep each one's best.
      const { sql, params } = searchQuery(
        space,
        request.source,
        toVectorLiteral(vector ?? []),
        k * 4,
        request.userId,
        options.conversations,
      )
      const run = async (tx: Queryable) => {
        // Keep scanning the index until enough rows pass the source filter (pgvector 0.8).
        await tx.exec(
          `SET LOCAL hnsw.iterative_scan = relaxed_order; SET LOCAL hnsw.ef_search = ${Math.max(options.efSearch ?? DEFAULT_EF_SEARCH, k * 4)}`,
        )
        const result = await tx.query<{
          id: string
          title: string | null
          external_id: string | null
          metadata: JsonObject | null
          chunk_text: string
          chunk_index: number
          distance: number
        }>(sql, params)
        return result.rows
      }
      const rows = on === undefined ? await db.transaction(run) : await run(on)
      const best = new Map<string, SearchHit>()
      for (const row of rows.sort((a, b) => a.distance - b.distance)) {
        if (best.has(row.id) || best.size >= k) continue
        best.set(row.id, {
          kind: conversations ? 'conversation' : 'document',
          id: row.id,
          title: row.title,
          externalId: row.external_id,
          chunk: row.chunk_text,
          chunkIndex: row.chunk_index,
          distance: row.distance,
          weak: row.distance > weakDistance,
          metadata: row.metadata ?? {},
        })
      }
      if (best.size === 0 && !conversations) await refuseUnknownSource(on ?? db, request.source)
      return [...best.values()]
    },
  }
}

/**
 * The nearest-neighbour query for one source in one embedding space, written so the planner can use
 * that space's partial HNSW index: the same expression and the same predicate as the index.
 */
export function searchQuery(
  space: EmbeddingSpace,
  source: SearchSource,
  vector: string,
  limit: number,
  userId?: string,
  corpus?: ConversationCorpus,
): { sql: string; params: unknown[] } {
  const expression = embeddingExpression(space.dimensions)
  const vectorType = `${embeddingVectorType(space.dimensions)}(${space.dimensions})`
  const conversations = source === 'conversation' && corpus !== undefined
  const from = conversations
    ? corpus.from(embeddingSpacePredicate(space))
    : `FROM embeddings e JOIN documents p ON p.id = e.document_id
       WHERE ${embeddingSpacePredicate(space)} AND e.document_id IS NOT NULL AND p.source = $3`
  return {
    sql: `SELECT p.id, ${conversations ? 'NULL::text AS title, NULL::text AS external_id' : 'p.title, p.external_id'}, p.metadata,
                 e.chunk_text, e.chunk_index, ${expression} <=> $1::${vectorType} AS distance
          ${from}
          ORDER BY ${expression} <=> $1::${vectorType}
          LIMIT $2`,
    params: [vector, limit, conversations ? (userId ?? null) : source],
  }
}

/** An empty result for a source no document has is a typo, not an empty library: say so. */
async function refuseUnknownSource(db: Queryable, source: string): Promise<void> {
  const { rows } = await db.query<{ source: string }>(
    'SELECT DISTINCT source FROM documents ORDER BY source',
  )
  if (rows.length === 0 || rows.some((r) => r.source === source)) return
  throw new InvalidInputError(
    `No document has the source "${source}". The library holds: ` +
      `${rows.map((r) => r.source).join(', ')}; conversation memory is "conversation".`,
  )
}

async function refuseOtherModels(
  db: Queryable,
  embedder: Embedder,
  source: string,
  conversations: boolean,
): Promise<void> {
  const scope = conversations
    ? 'e.conversation_id IS NOT NULL'
    : 'e.document_id IN (SELECT id FROM documents WHERE source = $3)'
  const params = [embedder.model, embedder.dimensions, ...(conversations ? [] : [source])]
  const mine = await db.query(
    `SELECT 1 FROM embeddings e WHERE e.model = $1 AND e.dimensions = $2 AND ${scope} LIMIT 1`,
    params,
  )
  if (mine.rowCount > 0) return
  const others = await db.query<{ model: string; dimensions: number }>(
    `SELECT DISTINCT e.model, e.dimensions FROM embeddings e
     WHERE NOT (e.model = $1 AND e.dimensions = $2) AND ${scope}`,
    params,
  )
  if (others.rowCount === 0) return
  throw new CallerError(
    'embedding_model_mismatch',
    `The ${source} corpus is embedded with ${describeSpaces(others.rows)}, but queries are ` +
      `embedded with ${describeSpaces([embedder])}; vectors of different models or dimensions ` +
      `cannot be compared. ${mismatchAdvice(others.rows, embedder)}`,
  )
}
