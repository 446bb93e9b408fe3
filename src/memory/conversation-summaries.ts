import { assertCorpusSpace } from '../embedding/corpus-space.ts'
import {
  embedDocuments,
  type IndexProgress,
  insertEmbeddings,
} from '../embedding/document-indexer.ts'
import type { Embedder } from '../embedding/embedder.ts'
import type { EmbeddedCorpus } from '../embedding/reembed.ts'
import type { ConversationCorpus } from '../embedding/search.ts'
import { InvalidInputError, NotFoundError } from '../lib/errors.ts'
import type { Database, Queryable } from '../store/database.ts'
import { ensureEmbeddingIndex } from '../store/embedding-index.ts'
import { conversations, type Message } from './conversations.ts'

/** Turns a conversation into the text that is embedded for "have we discussed this before?". */
export interface Summariser {
  summarise(messages: readonly Pick<Message, 'role' | 'content'>[]): Promise<string>
}

const PER_MESSAGE = 600
const TOTAL = 6000

/**
 * The offline summariser: not a model's summary but a digest of the transcript, the customer's
 * words and the Worker's replies, each cut to a few sentences, tool output and system text left
 * out. The Worker supplies a model-written summary when it has a model; this keeps conversation
 * memory working without one.
 */
export const transcriptDigest: Summariser = {
  async summarise(messages) {
    const lines: string[] = []
    let length = 0
    for (const message of messages) {
      if (message.role !== 'user' && message.role !== 'assistant') continue
      const text = message.content.replace(/\s+/g, ' ').trim()
      if (text === '') continue
      const clipped = text.length > PER_MESSAGE ? `${text.slice(0, PER_MESSAGE)}…` : text
      const line = `${message.role === 'user' ? 'Customer' : 'Worker'}: ${clipped}`
      if (length + line.length > TOTAL) break
      lines.push(line)
      length += line.length + 1
    }
    return lines.join('\n')
  },
}

export interface RememberResult {
  summary: string
  chunks: number
}

/**
 * Summarises a conversation and stores its summary and the summary's embeddings (with
 * `conversation_id` set), replacing what an earlier summary left, in one transaction. Conversation
 * memory is searched as its own source (`conversation`), never mixed into document results.
 */
export async function rememberConversation(
  db: Database,
  embedder: Embedder,
  conversationId: string,
  summariser: Summariser = transcriptDigest,
): Promise<RememberResult> {
  if (!(await conversations.exists(db, conversationId))) {
    throw new NotFoundError(`there is no conversation ${conversationId}`)
  }
  const messages = await conversations.messages(db, conversationId)
  if (messages.length === 0) {
    throw new NotFoundError(`conversation ${conversationId} has no messages yet`)
  }
  await assertCorpusSpace(db, embedder)
  const summary = (await summariser.summarise(messages)).trim()
  if (summary === '') {
    throw new InvalidInputError(`conversation ${conversationId} has nothing to summarise`)
  }
  const chunks = await embedDocuments(embedder, [{ id: conversationId, title: '', body: summary }])
  await ensureEmbeddingIndex(db, embedder)
  await db.transaction(async (tx) => {
    await conversations.setSummary(tx, conversationId, summary)
    await tx.query('DELETE FROM embeddings WHERE conversation_id = $1', [conversationId])
    await insertEmbeddings(tx, embedder, chunks, 'conversation')
  })
  return { summary, chunks: chunks.length }
}

/**
 * Embeds the summaries of conversations that have one but no chunks in the embedder's model (a
 * summary written while the provider was down, or a model change). Runs on `q`, so a caller's
 * transaction can include it.
 */
export async function embedPendingConversations(
  q: Queryable,
  embedder: Embedder,
  options: { batchSize?: number; onProgress?: (progress: IndexProgress) => void } = {},
): Promise<IndexProgress> {
  const { rows } = await q.query<{ id: string; summary: string }>(
    `SELECT c.id, c.summary FROM conversations c
     WHERE c.summary IS NOT NULL AND btrim(c.summary) <> ''
       AND NOT EXISTS (SELECT 1 FROM embeddings e
                       WHERE e.conversation_id = c.id AND e.model = $1 AND e.dimensions = $2)
     ORDER BY c.started_at, c.id`,
    [embedder.model, embedder.dimensions],
  )
  const progress: IndexProgress = { documents: 0, chunks: 0, total: rows.length }
  const batchSize = options.batchSize ?? 64
  for (let i = 0; i < rows.length; i += batchSize) {
    const batch = rows.slice(i, i + batchSize)
    const chunks = await embedDocuments(
      embedder,
      batch.map((c) => ({ id: c.id, title: '', body: c.summary })),
    )
    await insertEmbeddings(q, embedder, chunks, 'conversation')
    progress.documents += batch.length
    progress.chunks += chunks.length
    options.onProgress?.(progress)
  }
  return progress
}

/** Conversation memory for search: summary chunks, each joined to its conversation's owner. */
export const conversationCorpus: ConversationCorpus = {
  from: (spacePredicate) =>
    `FROM embeddings e JOIN conversations p ON p.id = e.conversation_id
       WHERE ${spacePredicate} AND e.conversation_id IS NOT NULL
         AND ($3::text IS NULL OR p.user_id = $3)`,
}

/** Conversation summaries for a re-embed: how many wait for the model, and embedding them. */
export const conversationSummaries: EmbeddedCorpus = {
  async waiting(q, embedder) {
    const { rows } = await q.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM conversations c
       WHERE c.summary IS NOT NULL AND btrim(c.summary) <> ''
         AND NOT EXISTS (SELECT 1 FROM embeddings e
                         WHERE e.conversation_id = c.id AND e.model = $1 AND e.dimensions = $2)`,
      [embedder.model, embedder.dimensions],
    )
    return rows[0]?.n ?? 0
  },
  embedWaiting: embedPendingConversations,
}
