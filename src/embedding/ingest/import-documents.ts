import { readdir, readFile, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { writeAudit } from '../../audit/audit-writer.ts'
import { errorMessage, InvalidInputError } from '../../lib/errors.ts'
import type { Database } from '../../store/database.ts'
import { ensureEmbeddingIndex } from '../../store/embedding-index.ts'
import { assertCorpusSpace } from '../corpus-space.ts'
import {
  type DocumentText,
  type EmbeddedChunk,
  embedDocuments,
  embedPendingDocuments,
  type IndexProgress,
  insertEmbeddings,
} from '../document-indexer.ts'
import type { Embedder } from '../embedder.ts'

/** Largest markdown document accepted; a policy is pages, not a book. */
export const MAX_DOCUMENT_BYTES = 1024 * 1024

export interface DocumentImportOptions {
  /** The documents' source: `policy` for `fte seed --policies`. */
  source: string
  actor: string
  onProgress?: (progress: IndexProgress) => void
}

export interface DocumentImportReport {
  directory: string
  files: number
  added: string[]
  updated: string[]
  unchanged: number
  embedded: { chunks: number; model: string }
}

interface MarkdownDocument {
  externalId: string
  title: string
  body: string
}

/**
 * Loads a folder of markdown files as documents of one source (`fte seed --policies <dir>`): the
 * file name without `.md` is the document's id, its first `# heading` the title. New files are
 * added, changed files replace their document, unchanged files are left alone.
 *
 * Vectors are computed first; then one transaction writes the documents, swaps each changed
 * document's old chunks (every model's) for the new ones, and records the `seed_run` audit row. A
 * search never sees a policy without its chunks, or a new text with old chunks.
 */
export async function importMarkdownDocuments(
  db: Database,
  embedder: Embedder,
  directory: string,
  options: DocumentImportOptions,
): Promise<DocumentImportReport> {
  const files = await readMarkdownFolder(directory)
  await assertCorpusSpace(db, embedder)
  const { rows: held } = await db.query<{
    id: string
    external_id: string
    title: string
    body: string
  }>(
    `SELECT id, external_id, title, body FROM documents
     WHERE source = $1 AND external_id = ANY($2::text[])`,
    [options.source, files.map((f) => f.externalId)],
  )
  const byId = new Map(held.map((row) => [row.external_id, row]))
  const added: MarkdownDocument[] = []
  const updated: Array<MarkdownDocument & { id: string }> = []
  let unchanged = 0
  for (const file of files) {
    const row = byId.get(file.externalId)
    if (row === undefined) added.push(file)
    else if (row.title !== file.title || row.body !== file.body)
      updated.push({ ...file, id: row.id })
    else unchanged++
  }

  // Added documents get their ids now, so their chunks can be embedded before the transaction.
  const toEmbed: DocumentText[] = [
    ...added.map((doc) => ({ id: crypto.randomUUID(), title: doc.title, body: doc.body })),
    ...updated.map((doc) => ({ id: doc.id, title: doc.title, body: doc.body })),
  ]
  const progress: IndexProgress = { documents: 0, chunks: 0, total: toEmbed.length }
  options.onProgress?.(progress)
  const chunks: EmbeddedChunk[] = []
  for (const doc of toEmbed) {
    const embedded = await embedDocuments(embedder, [doc])
    chunks.push(...embedded)
    progress.documents++
    progress.chunks += embedded.length
    options.onProgress?.(progress)
  }

  if (toEmbed.length > 0) {
    await ensureEmbeddingIndex(db, embedder)
    await db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO documents (id, source, external_id, title, body)
         SELECT r.id, $2, r.external_id, r.title, r.body
         FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, external_id text, title text, body text)`,
        [
          JSON.stringify(
            added.map((doc, i) => ({
              id: toEmbed[i]?.id,
              external_id: doc.externalId,
              title: doc.title,
              body: doc.body,
            })),
          ),
          options.source,
        ],
      )
      for (const doc of updated) {
        await tx.query(
          'UPDATE documents SET title = $2, body = $3, updated_at = now() WHERE id = $1',
          [doc.id, doc.title, doc.body],
        )
        await tx.query('DELETE FROM embeddings WHERE document_id = $1', [doc.id])
      }
      await insertEmbeddings(tx, embedder, chunks)
      await writeAudit(tx, {
        action: 'seed_run',
        actor: options.actor,
        target: `${options.source}:${basename(directory)}`,
        payload: { directory: basename(directory), files: files.length, source: options.source },
        result: {
          added: added.map((d) => d.externalId),
          updated: updated.map((d) => d.externalId),
          unchanged,
          chunks: chunks.length,
          embedding_model: embedder.model,
        },
      })
    })
  }
  // An unchanged document that lacks this model's chunks (an earlier run that failed to embed).
  const missing = await embedPendingDocuments(db, embedder, { sources: [options.source] })
  return {
    directory,
    files: files.length,
    added: added.map((d) => d.externalId),
    updated: updated.map((d) => d.externalId),
    unchanged,
    embedded: { chunks: chunks.length + missing.chunks, model: embedder.model },
  }
}

/** The folder's `*.md` files, sorted by name; refuses a folder with none, or a file it cannot use. */
export async function readMarkdownFolder(directory: string): Promise<MarkdownDocument[]> {
  let names: string[]
  try {
    names = (await readdir(directory)).filter((n) => n.toLowerCase().endsWith('.md')).sort()
  } catch (error) {
    const code = (error as { code?: string }).code
    const why =
      code === 'ENOENT'
        ? `there is no folder ${directory}`
        : code === 'ENOTDIR'
          ? `${directory} is a file; --policies takes a folder of .md files`
          : `cannot read the folder ${directory}: ${errorMessage(error)}`
    throw new InvalidInputError(why, { cause: error })
  }
  if (names.length === 0) {
    throw new InvalidInputError(`${directory} has no .md files to load`)
  }
  const problems: string[] = []
  const documents: MarkdownDocument[] = []
  for (const name of names) {
    const path = join(directory, name)
    const info = await stat(path)
    if (!info.isFile()) continue
    if (info.size > MAX_DOCUMENT_BYTES) {
      problems.push(`${name}: ${info.size} bytes; at most ${MAX_DOCUMENT_BYTES}`)
      continue
    }
    const body = (await readFile(path, 'utf8')).replace(/\r\n/g, '\n')
    if (body.trim() === '') {
      problems.push(`${name}: empty`)
      continue
    }
    const externalId = name.slice(0, -3)
    const heading = /^#\s+(.+?)\s*#*\s*$/m.exec(body)?.[1]
    documents.push({ externalId, title: heading ?? titleFromName(externalId), body })
  }
  if (problems.length > 0) {
    throw new InvalidInputError(
      `Some files in ${directory} cannot be loaded, so none were:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    )
  }
  return documents
}

function titleFromName(name: string): string {
  const words = name.replace(/[-_]+/g, ' ').trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}
