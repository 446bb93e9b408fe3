import { protectedResourceMetadata, resourceMetadataUrl } from '../auth/protected-resource.ts'
import type { TokenVerifier } from '../auth/token-verifier.ts'
import type { Gateway } from '../gateway/gateway.ts'
import { mcpHttpHandler } from '../gateway/http.ts'
import type { Logger } from '../lib/logger.ts'
import type { Database } from '../store/database.ts'
import { createApp } from './app.ts'
import type { Handlers } from './listen.ts'

export interface ServedOptions {
  db: Database
  logger: Logger
  gateway: Gateway
  /** `/mcp`'s canonical URL: the tokens' audience, described by the protected-resource metadata. */
  resource: string
  /** This server's public URL (its host is allowed besides localhost). */
  publicUrl: string
  /** The authorization server clients are sent to, and how its tokens are checked. */
  issuer: string
  verify: TokenVerifier
}

/**
 * What a ready `fte serve` answers: the app with the protected-resource metadata for `/mcp`, and
 * `/mcp` behind the bearer check, its 401s naming that metadata.
 */
export function servedHandlers(options: ServedOptions): Required<Handlers> {
  const { db, logger, resource } = options
  return {
    fetch: createApp({
      db,
      logger,
      protectedResources: [protectedResourceMetadata(resource, options.issuer)],
    }).fetch,
    mcp: mcpHttpHandler({
      gateway: options.gateway,
      verify: options.verify,
      publicUrl: options.publicUrl,
      resourceMetadataUrl: resourceMetadataUrl(resource),
      logger,
    }),
  }
}
