import { migrationSources } from '../../domain/domain-pack.ts'
import { createEmbedder } from '../../embedding/create-embedder.ts'
import { createSearch } from '../../embedding/search.ts'
import { FteError } from '../../lib/errors.ts'
import { connect } from '../../store/connect.ts'
import { loadMigrations } from '../../store/migration-files.ts'
import { migrationStatus } from '../../store/migrator.ts'
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
  const { config, logger, pack } = loadRuntime(context)
  const migrations = await loadMigrations(migrationSources(pack))
  const db = await connect(config.database, logger)
  try {
    const pending = (await migrationStatus(db, migrations)).filter((s) => s.state !== 'applied')
    if (pending.length > 0) {
      throw new FteError(
        'schema_not_ready',
        'The database schema is not up to date: run `fte migrate` (or start the server) first.',
        { fault: 'caller' },
      )
    }
    const search = createSearch(db, createEmbedder(config.embedding))
    const hits = await search.search({ text, source: options.source, k: options.k })
    if (options.json) {
      context.stdout.write(`${JSON.stringify(hits, null, 2)}\n`)
      return
    }
    if (hits.length === 0) {
      context.stdout.write(
        `Nothing in ${options.source} is embedded with ${config.embedding.model} yet.\n`,
      )
      return
    }
    for (const [i, hit] of hits.entries()) {
      const label = typeof hit.metadata.ticket_id === 'string' ? `${hit.metadata.ticket_id}  ` : ''
      const weak = hit.weak ? '  (weak match)' : ''
      context.stdout.write(
        `${i + 1}. ${label}${hit.title ?? hit.id}\n   distance ${hit.distance.toFixed(3)}${weak}\n` +
          `   ${hit.chunk.replace(/\s+/g, ' ').slice(0, 240)}\n`,
      )
    }
  } finally {
    await db.close()
  }
}
