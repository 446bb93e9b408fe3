import { Hono } from 'hono'
import type { Logger } from '../lib/logger.ts'
import type { Database } from '../store/database.ts'
import { checkHealth } from './health.ts'

export interface AppOptions {
  db: Database
  logger: Logger
}

/** The HTTP surface, web-standard: later issues mount the API and UI here (`listen` serves /mcp). */
export function createApp(options: AppOptions): Hono {
  const app = new Hono()

  app.get('/healthz', async (c) => {
    const report = await checkHealth(options.db)
    return c.json(report, report.status === 'ok' ? 200 : 503)
  })

  app.notFound((c) =>
    c.json({ error: 'not_found', message: `No route for ${c.req.method} ${c.req.path}` }, 404),
  )

  app.onError((error, c) => {
    options.logger.error({ err: error, path: c.req.path }, 'request failed')
    return c.json(
      { error: 'internal_error', message: 'The request failed; see the server log.' },
      500,
    )
  })

  return app
}
