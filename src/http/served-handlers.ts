import type { BearerCheck } from '../auth/bearer.ts'
import type { Identity } from '../auth/identity.ts'
import { protectedResourceMetadata, resourceMetadataUrl } from '../auth/protected-resource.ts'
import type { TokenVerifier } from '../auth/token-verifier.ts'
import type { Gateway } from '../gateway/gateway.ts'
import type { Logger } from '../lib/logger.ts'
import type { Database } from '../store/database.ts'
import { createApp } from './app.ts'
import type { ChatApiOptions } from './chat-api.ts'
import type { InboundOptions } from './inbound-api.ts'
import type { FetchHandler, Handlers } from './listen.ts'
import { mcpHttpHandler } from './mcp.ts'
import type { WebUiOptions } from './web/web-ui.ts'

/** Who signs callers in: an issuer whose tokens are verified, or nobody (AUTH_DISABLED). */
export type Access =
  | {
      issuer: string
      /** Accepts tokens for any of this server's resources (what `/api` takes). */
      verify: TokenVerifier
      /** The one audience `/mcp` takes (RFC 8707): its own URL, or AUTH_AUDIENCE. */
      mcpAudience: string
      webClientId?: string | undefined
      /** How to get a token here, for the 401 of a request without one (see BearerCheck). */
      tokenHint?: string | undefined
    }
  | { standIn: Identity }

export interface ServedOptions {
  db: Database
  logger: Logger
  gateway: Gateway
  /**
   * This server's public URL, without a trailing slash: the canonical resource of `/api` (its
   * metadata at the root), and with `/mcp` appended, of the gateway. Its host is allowed besides
   * localhost.
   */
  publicUrl: string
  access: Access
  /** Every scope this server's tokens may carry: the core's and the pack's (`resourceScopes`). */
  scopes: readonly string[]
  /** The chat API; unset: `/api` serves `/api/me` alone. */
  chat?: ChatApiOptions | undefined
  /** Other sites whose pages may call this server: `/api` answers their preflights (CORS). */
  corsOrigins?: readonly string[] | undefined
  /** The domain pack served, as the web UI presents it. */
  domain?: WebUiOptions['domain']
  /** The signed inbound routes (email, webhooks); unset: not served. */
  inbound?: InboundOptions | undefined
}

/** This server's resources, as tokens name them: `/mcp`'s first, then the server's own (`/api`). */
export function servedResources(publicUrl: string): [string, string] {
  return [`${publicUrl}/mcp`, publicUrl]
}

/**
 * Where the sign-in of the web UI at `publicUrl` may return to: `/` at that URL, and at the
 * other loopback name of the same port (a browser may be pointed at either).
 */
export function webRedirectUris(publicUrl: string): string[] {
  const url = new URL(publicUrl)
  const uris = [`${url.origin}/`]
  const other = { '127.0.0.1': 'localhost', localhost: '127.0.0.1' }[url.hostname]
  if (other !== undefined) uris.push(`${url.protocol}//${other}${url.port ? `:${url.port}` : ''}/`)
  return uris
}

/** What every request log line says while AUTH_DISABLED is on. */
export const AUTH_DISABLED_WARNING =
  'AUTH IS DISABLED: this request was not signed in (AUTH_DISABLED=1, a personal demo only)'

/**
 * What a ready `fte serve` answers: the protected-resource metadata of `/mcp` and of the server
 * itself, `/api/*` and `/mcp` behind the bearer check, each 401 and 403 naming its metadata; one
 * log line per request (method, path without its query, status, time).
 */
export function servedHandlers(options: ServedOptions): Required<Handlers> {
  const { db, logger, access } = options
  const [mcp, root] = servedResources(options.publicUrl)
  const check = (resource: string, only?: readonly string[]): BearerCheck =>
    'standIn' in access
      ? { verify: () => Promise.resolve(access.standIn), standIn: access.standIn, logger }
      : {
          verify: (token) => access.verify(token, only),
          resourceMetadataUrl: resourceMetadataUrl(resource),
          tokenHint: access.tokenHint,
          scopes: options.scopes,
          logger,
        }
  const log = requestLog(logger, 'standIn' in access)
  return {
    fetch: log(
      createApp({
        db,
        logger,
        // Nobody to sign in with while authentication is disabled: no metadata to send clients to.
        protectedResources:
          'standIn' in access
            ? []
            : [
                protectedResourceMetadata(mcp, access.issuer, options.scopes),
                protectedResourceMetadata(root, access.issuer, options.scopes),
              ],
        api: check(root),
        chat: options.chat,
        publicUrl: options.publicUrl,
        corsOrigins: options.corsOrigins,
        inbound: options.inbound,
        web: {
          domain: options.domain,
          signIn:
            'standIn' in access
              ? 'disabled'
              : { issuer: access.issuer, clientId: access.webClientId },
        },
      }).fetch,
    ),
    mcp: log(
      mcpHttpHandler({
        gateway: options.gateway,
        publicUrl: options.publicUrl,
        corsOrigins: options.corsOrigins,
        ...check(mcp, 'standIn' in access ? undefined : [access.mcpAudience]),
      }),
    ),
  }
}

/** One line per request; a warning on every one while authentication is disabled. */
function requestLog(logger: Logger, unauthenticated: boolean) {
  return (handler: FetchHandler): FetchHandler =>
    async (request) => {
      if (!unauthenticated && !logger.isLevelEnabled('info')) return handler(request)
      const started = performance.now()
      const response = await handler(request)
      const line = {
        method: request.method,
        // The path only: a query string may hold what must never be logged (a token).
        path: new URL(request.url).pathname,
        status: response.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
      }
      if (unauthenticated) logger.warn({ ...line, auth: 'DISABLED' }, AUTH_DISABLED_WARNING)
      else logger.info(line, 'request')
      return response
    }
}
