import type { Config } from '../config/config.ts'
import { errorMessage } from '../lib/errors.ts'
import type { Logger } from '../lib/logger.ts'
import type { Database } from './database.ts'
import { openEmbedded } from './embedded.ts'
import { openPostgres } from './postgres-database.ts'

/**
 * The configured database: a Postgres pool when DATABASE_URL is set, the embedded database
 * otherwise (opened here, or reached through the local process that holds it). `lasting` is for a
 * process that runs until stopped: it takes the embedded database over if its holder goes away.
 */
export async function connect(
  config: Config['database'],
  logger: Logger,
  options: { lasting?: boolean } = {},
): Promise<Database> {
  if (config.url === undefined) {
    const dataDir = config.dataDir
    const db = await openEmbedded({
      dataDir,
      ...(options.lasting === undefined ? {} : { lasting: options.lasting }),
      warn: (message) => logger.warn({ dataDir }, message),
      notice: (message) => logger.info({ dataDir }, message),
      // The message alone: a pool's error carries its whole client (and its statements).
      onError: (error) =>
        logger.warn({ dataDir, err: errorMessage(error) }, 'embedded database connection'),
    })
    logger.info({ database: db.description }, 'the embedded database is ready (PGlite + pgvector)')
    return db
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
