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
  /**
   * This server's public URL, without a trailing slash: the canonical resource of `/api` (its
   * metadata at the root), and with `/mcp` appended, of the gateway. Its host is allowed besides
   * localhost.
   */
  publicUrl: string
  /** The authorization server clients are sent to, and how its tokens are checked. */
  issuer: string
  verify: TokenVerifier
}

/** This server's resources, as tokens name them: `/mcp`'s first, then the server's own (`/api`). */
export function servedResources(publicUrl: string): [string, string] {
  return [`${publicUrl}/mcp`, publicUrl]
}

/**
 * What a ready `fte serve` answers: the protected-resource metadata of `/mcp` and of the server
 * itself, `/api/*` and `/mcp` behind the bearer check, each 401 and 403 naming its metadata.
 */
export function servedHandlers(options: ServedOptions): Required<Handlers> {
  const { db, logger, verify } = options
  const [mcp, root] = servedResources(options.publicUrl)
  return {
    fetch: createApp({
      db,
      logger,
      protectedResources: [
        protectedResourceMetadata(mcp, options.issuer),
        protectedResourceMetadata(root, options.issuer),
      ],
      api: { verify, resourceMetadataUrl: resourceMetadataUrl(root), logger },
    }).fetch,
    mcp: mcpHttpHandler({
      gateway: options.gateway,
      verify,
      publicUrl: options.publicUrl,
      resourceMetadataUrl: resourceMetadataUrl(mcp),
      logger,
    }),
  }
}
