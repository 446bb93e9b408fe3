import { openMigratedDatabase } from '../../app/open-migrated-database.ts'
import { createEmbedder } from '../../embedding/create-embedder.ts'
import { createSearch } from '../../embedding/search.ts'
import { conversationCorpus } from '../../memory/conversation-summaries.ts'
import { type CliContext, loadRuntime } from '../cli-context.ts'

export interface SearchCommandOptions {
  source: string
  k: number
  json?: boolean
}

/** `fte search "<text>"`: the same search the gateway uses, from the terminal. */
export async function searchCommand(
  context: CliContext,
  text: string,
  options: SearchCommandOptions,
): Promise<void> {
  const runtime = loadRuntime(context)
  const db = await openMigratedDatabase(runtime)
  try {
    const embedder = createEmbedder(runtime.config.embedding, runtime.pack.lexicon)
    const search = createSearch(db, embedder, { conversations: conversationCorpus })
    const hits = await search.search({ text, source: options.source, k: options.k })
    if (options.json) {
      context.stdout.write(`${JSON.stringify(hits, null, 2)}\n`)
      return
    }
    if (hits.length === 0) {
      context.stdout.write(`Nothing in ${options.source} is embedded with ${embedder.model} yet.\n`)
      return
    }
    for (const [i, hit] of hits.entries()) {
      const label = hit.externalId === null ? '' : `${hit.externalId}  `
      const weak = hit.weak ? '  (weak match)' : ''
      const title = hit.kind === 'conversation' ? `conversation ${hit.id}` : (hit.title ?? hit.id)
      context.stdout.write(
        `${i + 1}. ${label}${title}\n   distance ${hit.distance.toFixed(3)}${weak}\n` +
          `   ${hit.chunk.replace(/\s+/g, ' ').slice(0, 240)}\n`,
      )
    }
  } finally {
    await db.close()
  }
}
