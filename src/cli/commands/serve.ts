import { once } from 'node:events'
import { createApp } from '../../server/app.ts'
import { listen } from '../../server/listen.ts'
import { connect } from '../../store/connect.ts'
import { type CliContext, loadRuntime } from '../cli-context.ts'
import { prepareDatabase } from '../prepare-database.ts'

export interface ServeOptions {
  host?: string
  port?: number
}

/** Serves until the context's signal aborts; the database is closed cleanly on the way out. */
export async function serveCommand(context: CliContext, options: ServeOptions): Promise<void> {
  const { config, logger, pack } = loadRuntime(context)
  const host = options.host ?? config.server.host
  const port = options.port ?? config.server.port
  const db = await connect(config.database, logger)
  try {
    await prepareDatabase(db, {
      pack,
      embedding: config.embedding,
      demoData: config.demoData,
      logger,
    })
    const server = await listen(createApp({ db, logger }), host, port)
    logger.info(
      { url: server.url, database: db.description, domain: pack.name },
      `digital-fte is serving on ${server.url} (health: ${server.url}/healthz)`,
    )
    try {
      if (context.signal !== undefined && !context.signal.aborted) {
        await once(context.signal, 'abort')
      }
    } finally {
      logger.info('shutting down')
      await server.close()
    }
  } finally {
    await db.close()
  }
}
