import type { Config } from '../config/config.ts'
import type { Logger } from '../lib/logger.ts'
import type { Database } from './database.ts'
import { openPglite } from './pglite-database.ts'
import { openPostgres } from './postgres-database.ts'

/** The configured database: a Postgres pool when DATABASE_URL is set, embedded PGlite otherwise. */
export async function connect(config: Config['database'], logger: Logger): Promise<Database> {
  if (config.url === undefined) {
    logger.info({ dataDir: config.dataDir }, 'opening the embedded database (PGlite + pgvector)')
    return openPglite({
      dataDir: config.dataDir,
      warn: (message) => logger.warn({ dataDir: config.dataDir }, message),
    })
  }
  const db = await openPostgres({
    url: config.url,
    poolMax: config.poolMax,
    connectTimeoutMs: config.connectTimeoutMs,
    onIdleError: (error) => logger.warn({ err: error }, 'idle database connection failed'),
    onNotice: (message) => logger.info(message),
  })
  logger.info({ database: db.description }, 'connected to Postgres')
  return db
}
