import type { DomainPack } from '../domain/domain-pack.ts'
import { migrationSources } from '../domain/domain-pack.ts'
import type { Logger } from '../lib/logger.ts'
import type { Database } from '../store/database.ts'
import { type EmbeddingSpace, ensureEmbeddingIndex } from '../store/embedding-index.ts'
import { loadMigrations } from '../store/migration-files.ts'
import { migrate } from '../store/migrator.ts'

export interface PrepareOptions {
  pack: DomainPack
  embedding: EmbeddingSpace
  demoData: boolean
  logger: Logger
}

/** Brings a database up to date for serving: schema, the search index, demo data when asked. */
export async function prepareDatabase(db: Database, options: PrepareOptions): Promise<void> {
  const { logger, pack } = options
  const migrations = await loadMigrations(migrationSources(pack))
  const result = await migrate(db, migrations, (m, ms) =>
    logger.info({ migration: m.id, ms: Math.round(ms) }, 'applied migration'),
  )
  if (result.error !== undefined) throw result.error
  logger.info(
    { applied: result.applied.length, total: migrations.length },
    result.applied.length === 0 ? 'schema is up to date' : 'schema migrated',
  )

  const index = await ensureEmbeddingIndex(db, options.embedding)
  if (index.created) {
    logger.info({ index: index.name, ...options.embedding }, 'created the embedding search index')
  }

  if (options.demoData && pack.loadDemoData !== undefined) {
    const { inserted } = await pack.loadDemoData(db)
    if (Object.values(inserted).some((n) => n > 0)) {
      logger.info({ domain: pack.name, inserted }, 'loaded demo data')
    }
  }
}
