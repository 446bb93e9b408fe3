import { Hono } from 'hono'
import { type ProtectedResourceMetadata, resourceMetadataUrl } from '../auth/protected-resource.ts'
import type { Logger } from '../lib/logger.ts'
import type { Database } from '../store/database.ts'
import { checkHealth } from './health.ts'

export interface AppOptions {
  db: Database
  logger: Logger
  /**
   * Protected Resource Metadata (RFC 9728), each at `/.well-known/oauth-protected-resource` plus
   * its resource's path: how a client finds where to sign in.
   */
  protectedResources?: readonly ProtectedResourceMetadata[]
}

/** The HTTP surface, web-standard: later issues mount the API and UI here (`listen` serves /mcp). */
export function createApp(options: AppOptions): Hono {
  const app = new Hono()

  app.get('/healthz', async (c) => {
    const report = await checkHealth(options.db)
    return c.json(report, report.status === 'ok' ? 200 : 503)
  })

  for (const metadata of options.protectedResources ?? []) {
    // Public and cacheable: any client, in a browser too, may read where to sign in.
    app.get(new URL(resourceMetadataUrl(metadata.resource)).pathname, (c) =>
      c.json(metadata, 200, {
        'access-control-allow-origin': '*',
        'cache-control': 'public, max-age=300',
      }),
    )
  }

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
