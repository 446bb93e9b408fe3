import type { Database, Queryable } from '../store/database.ts'
import { type EmbeddingSpace, ensureEmbeddingIndex } from '../store/embedding-index.ts'
import { type Chunk, type ChunkOptions, chunkText } from './chunker.ts'
import { assertCorpusSpace } from './corpus-space.ts'
import { type Embedder, toVectorLiteral } from './embedder.ts'

export interface IndexProgress {
  documents: number
  chunks: number
  /** Documents waiting when the run started. */
  total: number
}

export interface IndexOptions {
  /** Only these document sources (`past_case`, `policy`, ...); all when unset. */
  sources?: readonly string[]
  /** Documents per transaction: a batch is embedded and stored whole, or not at all. */
  batchSize?: number
  chunking?: ChunkOptions
  onProgress?: (progress: IndexProgress) => void
}

interface PendingDocument extends Record<string, unknown> {
  id: string
  title: string
  body: string
}

/**
 * Chunks and embeds every document that has no embeddings for the embedder's model yet, and keeps
 * that model's search index. Safe to re-run: what is embedded is skipped. Refused when the corpus
 * is held in another model (see `assertCorpusSpace`).
 */
export async function embedPendingDocuments(
  db: Database,
  embedder: Embedder,
  options: IndexOptions = {},
): Promise<IndexProgress> {
  await assertCorpusSpace(db, embedder)
  await ensureEmbeddingIndex(db, embedder)
  const sources = options.sources ?? null
  const { rows: pending } = await db.query<PendingDocument>(
    `SELECT d.id, d.title, d.body FROM documents d
     WHERE ($3::text[] IS NULL OR d.source = ANY($3::text[]))
       AND NOT EXISTS (
         SELECT 1 FROM embeddings e
         WHERE e.document_id = d.id AND e.model = $1 AND e.dimensions = $2)
     ORDER BY d.created_at, d.id`,
    [embedder.model, embedder.dimensions, sources],
  )
  const progress: IndexProgress = { documents: 0, chunks: 0, total: pending.length }
  options.onProgress?.(progress)
  const batchSize = options.batchSize ?? 64
  for (let i = 0; i < pending.length; i += batchSize) {
    const batch = pending.slice(i, i + batchSize)
    const rows = await embedDocuments(embedder, batch, options.chunking)
    await db.transaction((tx) => insertEmbeddings(tx, embedder, rows))
    progress.documents += batch.length
    progress.chunks += rows.length
    options.onProgress?.(progress)
  }
  return progress
}

/** A text to embed: a document (title and body) or a conversation's summary (no title). */
export interface DocumentText {
  id: string
  /** Put in front of every chunk when embedding; '' for none. */
  title: string
  body: string
}

/** One chunk of a document or conversation with its vector, ready to store. */
export interface EmbeddedChunk {
  /** The document's or the conversation's id. */
  ownerId: string
  chunk: Chunk
  vector: number[]
}

export type EmbeddingOwner = 'document' | 'conversation'

/**
 * Chunks documents and embeds the chunks in one call. Each chunk is embedded with its document's
 * title in front (so a policy section knows which policy it belongs to); the stored chunk text and
 * offsets are the body's.
 */
export async function embedDocuments(
  embedder: Embedder,
  documents: readonly DocumentText[],
  chunking?: ChunkOptions,
): Promise<EmbeddedChunk[]> {
  const chunks = documents.flatMap((doc) =>
    chunkText(doc.body, chunking).map((chunk) => ({ doc, chunk })),
  )
  if (chunks.length === 0) return []
  const vectors = await embedder.embed(
    chunks.map(({ doc, chunk }) =>
      doc.title === '' ? chunk.text : `${doc.title}\n\n${chunk.text}`,
    ),
  )
  return chunks.map(({ doc, chunk }, k) => ({
    ownerId: doc.id,
    chunk,
    vector: vectors[k] ?? [],
  }))
}

/** Stores embedded chunks under the embedder's model; chunks already stored are kept. */
export async function insertEmbeddings(
  tx: Queryable,
  space: EmbeddingSpace,
  rows: readonly EmbeddedChunk[],
  owner: EmbeddingOwner = 'document',
): Promise<void> {
  if (rows.length === 0) return
  const column = owner === 'document' ? 'document_id' : 'conversation_id'
  await tx.query(
    `INSERT INTO embeddings (${column}, chunk_index, chunk_text, char_start, char_end,
                             token_count, model, dimensions, embedding)
     SELECT r.owner_id, r.chunk_index, r.chunk_text, r.char_start, r.char_end,
            r.token_count, $2, $3, r.embedding::vector
     FROM jsonb_to_recordset($1::jsonb) AS r(owner_id uuid, chunk_index int,
       chunk_text text, char_start int, char_end int, token_count int, embedding text)
     ON CONFLICT DO NOTHING`,
    [
      JSON.stringify(
        rows.map(({ ownerId, chunk, vector }) => ({
          owner_id: ownerId,
          chunk_index: chunk.index,
          chunk_text: chunk.text,
          char_start: chunk.charStart,
          char_end: chunk.charEnd,
          token_count: chunk.tokenCount,
          embedding: toVectorLiteral(vector),
        })),
      ),
      space.model,
      space.dimensions,
    ],
  )
}
