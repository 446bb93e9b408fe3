import { describeSpaces, otherSpaces } from '../embedding/corpus-space.ts'
import { embedPendingDocuments } from '../embedding/document-indexer.ts'
import { adoptEarlierModelNames } from '../embedding/earlier-model-names.ts'
import type { Embedder } from '../embedding/embedder.ts'
import { isLocalModel } from '../embedding/local-embedder.ts'
import { reembedCorpus } from '../embedding/reembed.ts'
import { errorMessage, FteError } from '../lib/errors.ts'
import type { Logger } from '../lib/logger.ts'
import {
  conversationSummaries,
  embedPendingConversations,
} from '../memory/conversation-summaries.ts'
import type { DomainPack } from '../pack/domain-pack.ts'
import { migrationSources } from '../pack/domain-pack.ts'
import type { Database } from '../store/database.ts'
import { loadMigrations } from '../store/migration-files.ts'
import { migrate } from '../store/migrator.ts'

export interface PrepareOptions {
  pack: DomainPack
  embedder: Embedder
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

  const { embedder } = options
  if (options.demoData && pack.loadDemoData !== undefined) {
    const { inserted } = await pack.loadDemoData(db)
    if (Object.values(inserted).some((n) => n > 0)) {
      logger.info({ domain: pack.name, inserted }, 'loaded demo data')
    }
  }

  // Documents not yet embedded with this model (the demo corpus on a first start), and the model's
  // search index (created by the indexer before it embeds anything). A provider that
  // cannot be reached does not stop the server: search stays incomplete until a later start.
  try {
    await moveLocalCorpus(db, embedder, logger)
    const done = await embedPendingDocuments(db, embedder, {
      onProgress: (p) => {
        if (p.documents === 0 && p.total > 0) {
          logger.info({ documents: p.total, model: embedder.model }, 'embedding documents')
        }
      },
    })
    if (done.documents > 0) {
      logger.info(
        { documents: done.documents, chunks: done.chunks, model: embedder.model },
        'embedded documents',
      )
    }
    const remembered = await embedPendingConversations(db, embedder)
    if (remembered.documents > 0) {
      logger.info(
        { conversations: remembered.documents, model: embedder.model },
        'embedded conversation summaries',
      )
    }
  } catch (error) {
    const mismatch = error instanceof FteError && error.code === 'embedding_model_mismatch'
    logger.warn(
      { err: errorMessage(error), model: embedder.model },
      mismatch
        ? 'the corpus is held in another embedding model: searches are refused until it is moved'
        : 'could not embed documents; search is incomplete',
    )
  }
}

/**
 * A corpus held by an earlier local model follows the local embedder without anyone running
 * `fte embed --reembed`: renamed in place when the vectors are the same (a name the embedder
 * lists as its earlier one), re-embedded otherwise (offline, and quick at demo sizes). A corpus
 * in any other model is left alone: moving it is the operator's call, and may cost money.
 */
async function moveLocalCorpus(db: Database, embedder: Embedder, logger: Logger): Promise<void> {
  if (!isLocalModel(embedder.model)) return
  // One read on every start; anything more only when the corpus is held in another space.
  let held = await otherSpaces(db, embedder)
  if (held.length === 0) return
  const renamed = await adoptEarlierModelNames(db, embedder)
  if (renamed > 0) {
    logger.info(
      { chunks: renamed, model: embedder.model },
      "renamed the corpus to its model's new name (same vectors)",
    )
    held = await otherSpaces(db, embedder)
  }
  if (held.length === 0 || !held.every((space) => isLocalModel(space.model))) return
  logger.info(
    { from: describeSpaces(held), model: embedder.model },
    'the local embedding model changed: re-embedding the corpus',
  )
  const moved = await reembedCorpus(db, embedder, conversationSummaries)
  logger.info(
    {
      documents: moved.documents,
      conversations: moved.conversations,
      chunks: moved.chunks,
      model: moved.model,
    },
    're-embedded the corpus',
  )
}
