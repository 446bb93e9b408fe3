import { Hono, type MiddlewareHandler } from 'hono'
import { cors } from 'hono/cors'
import { authenticate, type BearerCheck, insufficientScope } from '../auth/bearer.ts'
import type { HostOriginOptions } from '../auth/host-origin.ts'
import type { Identity } from '../auth/identity.ts'
import { type ProtectedResourceMetadata, resourceMetadataUrl } from '../auth/protected-resource.ts'
import { missingScopeMessage } from '../auth/scopes.ts'
import type { Logger } from '../lib/logger.ts'
import { people } from '../memory/people.ts'
import type { Database } from '../store/database.ts'
import { type ChatApiOptions, chatApi } from './chat-api.ts'
import { conversationApi } from './conversation-api.ts'
import { handoffApi } from './handoff-api.ts'
import { checkHealth } from './health.ts'
import { hostOriginWall } from './host-origin-wall.ts'
import { type InboundOptions, inboundApi } from './inbound-api.ts'
import { jsonBodiesOnly } from './json-bodies-only.ts'
import { liveEvents } from './live-events.ts'
import { staffApi } from './staff-api.ts'
import { type WebUiOptions, webUi } from './web/web-ui.ts'

export interface AppOptions extends HostOriginOptions {
  db: Database
  logger: Logger
  /**
   * Protected Resource Metadata (RFC 9728), each at `/.well-known/oauth-protected-resource` plus
   * its resource's path: how a client finds where to sign in.
   */
  protectedResources?: readonly ProtectedResourceMetadata[]
  /**
   * How `/api/*` checks its callers. Without it the API is not served (every `/api` path is 404):
   * it is never open.
   */
  api?: BearerCheck
  /** The chat API under `/api` (behind `api`'s check). */
  chat?: ChatApiOptions | undefined
  /** The web UI at `/`; unset: not served. */
  web?: WebUiOptions | undefined
  /** The signed inbound routes under `/api/inbound` (email, webhooks); unset: not served. */
  inbound?: InboundOptions | undefined
}

type Env = { Variables: { identity: Identity } }

/**
 * The HTTP surface, web-standard: health, sign-in metadata, the API and the web UI. Every route
 * but the first two answers only requests whose Host and Origin are this server's
 * (`hostOriginWall`); every `/api` route needs a bearer token, and a body sent to it JSON, but
 * `/api/inbound`'s, which are signed instead.
 */
export function createApp(options: AppOptions): Hono<Env> {
  const app = new Hono<Env>()

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

  // Every route below: health and the metadata above are probed and read by address, from anywhere.
  app.use('*', hostOriginWall(options))

  // Before the bearer check and the JSON-only rule, which never see what these routes answer: a
  // mail provider or a helpdesk signs its posts, it has no token, and MIME is not JSON.
  if (options.inbound !== undefined) app.route('/api/inbound', inboundApi(options.inbound))

  const { api } = options
  if (api !== undefined && (options.corsOrigins ?? []).length > 0) {
    // Before the bearer check: a browser's preflight carries no token.
    app.use(
      '/api/*',
      cors({
        origin: [...(options.corsOrigins ?? [])],
        allowHeaders: ['authorization', 'content-type', 'last-event-id'],
        allowMethods: ['GET', 'POST', 'OPTIONS'],
        exposeHeaders: ['retry-after', 'www-authenticate'],
        maxAge: 600,
      }),
    )
  }
  if (api !== undefined) {
    // Every /api path, known or not, needs a valid token first: an unknown path reveals nothing.
    app.use('/api/*', async (c, next) => {
      const checked = await authenticate(c.req.raw, api)
      if (checked instanceof Response) return checked
      c.set('identity', checked.identity)
      return next()
    })
    app.use('/api/*', jsonBodiesOnly())
    const needs =
      (scope: string): MiddlewareHandler<Env> =>
      async (c, next) => {
        if (!c.get('identity').scopes.includes(scope)) {
          const what = `${c.req.method} ${c.req.path}`
          return insufficientScope(scope, missingScopeMessage(scope, what), api.resourceMetadataUrl)
        }
        return next()
      }

    /** Who the token says you are: what the web UI shows, and a quick check for a script. */
    app.get('/api/me', needs('read'), async (c) => {
      const { sub, role, scopes, email, name } = c.get('identity')
      // The token's name, else the one kept from an earlier sign-in; none when neither says.
      const known = name ?? (await people.displayName(options.db, sub).catch(() => undefined))
      return c.json({
        sub,
        role,
        scopes,
        ...(email === undefined ? {} : { email }),
        ...(known == null ? {} : { name: known }),
      })
    })
    if (options.chat !== undefined) {
      app.use('/api/*', needs('read'))
      app.route(
        '/api',
        staffApi({ db: options.chat.db, staff: options.chat.staff, decide: options.chat.decide }),
      )
      app.route('/api', handoffApi({ db: options.chat.db }))
      app.route(
        '/api',
        conversationApi({
          db: options.chat.db,
          worker: options.chat.worker,
          toolWords: options.chat.toolWords,
        }),
      )
      const { feed } = options.chat
      if (feed !== undefined) {
        app.route('/api', liveEvents({ db: options.chat.db, feed, logger: options.logger }))
      }
      app.route('/api', chatApi(options.chat))
    }
  }

  if (options.web !== undefined) app.route('/', webUi(options.web))

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
