import { openMigratedDatabase } from '../../app/open-migrated-database.ts'
import { createEmbedder } from '../../embedding/create-embedder.ts'
import { embedPendingDocuments } from '../../embedding/document-indexer.ts'
import { adoptEarlierModelNames } from '../../embedding/earlier-model-names.ts'
import { reembedCorpus } from '../../embedding/reembed.ts'
import { InvalidInputError } from '../../lib/errors.ts'
import { plural } from '../../lib/words.ts'
import {
  conversationSummaries,
  embedPendingConversations,
  rememberConversation,
} from '../../memory/conversation-summaries.ts'
import { type CliContext, loadRuntime } from '../cli-context.ts'
import { createProgress } from '../progress.ts'

export interface EmbedCommandOptions {
  reembed?: boolean
  conversation?: string
  json?: boolean
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * `fte embed`: embeds what is missing in the configured model (documents and conversation
 * summaries); `--reembed` moves the whole corpus to it; `--conversation <id>` summarises one
 * conversation into conversation memory.
 */
export async function embedCommand(
  context: CliContext,
  options: EmbedCommandOptions,
): Promise<void> {
  if (options.conversation !== undefined && !UUID.test(options.conversation)) {
    throw new InvalidInputError(`"${options.conversation}" is not a conversation id (a UUID)`)
  }
  if (options.conversation !== undefined && options.reembed === true) {
    throw new InvalidInputError('--reembed and --conversation do not go together')
  }
  const runtime = loadRuntime(context)
  const db = await openMigratedDatabase(runtime)
  const embedder = createEmbedder(runtime.config.embedding, runtime.pack.lexicon)
  const out = (line: string) => {
    if (!options.json) context.stdout.write(`${line}\n`)
  }
  const progress = createProgress(context.stderr, 'embedding', 'items')
  const onProgress = (p: { documents: number; total: number }) => {
    if (p.total > 0) progress.update(p.documents, p.total)
  }
  let report: object
  try {
    const renamed = await adoptEarlierModelNames(db, embedder)
    if (renamed > 0) {
      out(
        `Renamed ${plural(renamed, 'chunk')} to ${embedder.model}, its new name (the same vectors).`,
      )
    }
    if (options.conversation !== undefined) {
      const r = await rememberConversation(db, embedder, options.conversation)
      out(
        `Remembered conversation ${options.conversation}: ${plural(r.chunks, 'chunk')} with ${embedder.model}.`,
      )
      report = { conversation: options.conversation, ...r, model: embedder.model }
    } else if (options.reembed === true) {
      const r = await reembedCorpus(db, embedder, conversationSummaries, { onProgress })
      progress.stop()
      out(
        `The corpus is now embedded with ${r.model} (${r.dimensions} dimensions): ` +
          `${plural(r.documents, 'document')} and ${plural(r.conversations, 'conversation')} embedded, ${plural(r.chunks, 'chunk')}.`,
      )
      for (const gone of r.removed) {
        out(`Removed ${gone.chunks} chunks of ${gone.model} (${gone.dimensions} dimensions).`)
      }
      if (r.documents + r.conversations === 0 && r.removed.length === 0) {
        out('Nothing to do: everything was already embedded with this model alone.')
      }
      report = r
    } else {
      const documents = await embedPendingDocuments(db, embedder, { onProgress })
      progress.stop()
      const conversations = await embedPendingConversations(db, embedder)
      out(
        documents.documents + conversations.documents === 0
          ? `Nothing to embed: every document and conversation summary has ${embedder.model} vectors.`
          : `Embedded ${plural(documents.documents, 'document')} and ${plural(conversations.documents, 'conversation summary', 'conversation summaries')} ` +
              `(${plural(documents.chunks + conversations.chunks, 'chunk')}) with ${embedder.model}.`,
      )
      report = { model: embedder.model, documents, conversations }
    }
  } finally {
    progress.stop()
    await db.close()
  }
  if (options.json) context.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
}
