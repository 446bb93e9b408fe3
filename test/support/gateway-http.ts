import type { SkillsExtension } from '@modelcontextprotocol/server/ext/skills'
import {
  type DevIssuer,
  devIssuer,
  devTokenVerifier,
  issueDevToken,
} from '../../src/auth/dev-token.ts'
import type { Identity } from '../../src/gateway/identity.ts'
import type { Logger } from '../../src/lib/logger.ts'
import { createLogger } from '../../src/lib/logger.ts'
import { type Handlers, listen } from '../../src/server/listen.ts'
import { servedHandlers, servedResources } from '../../src/server/served-handlers.ts'
import type { Database } from '../../src/store/database.ts'
import { testGateway } from './gateway-client.ts'

export interface GatewayOverHttp {
  /** The server's URL: the resource of `/api`. */
  url: string
  /** The `/mcp` URL: the resource (the tokens' audience) of the gateway. */
  resource: string
  issuer: DevIssuer
  /** A development token for `/mcp`; every scope of the role unless `scopes` says otherwise. */
  token(sub?: string, role?: Identity['role'], scopes?: readonly string[]): Promise<string>
  close(): Promise<void>
}

/**
 * What `fte serve` answers once ready (servedHandlers), on a free loopback port: development
 * tokens from a key in `keyDir`, the real Host/Origin, bearer and scope checks.
 */
export async function serveGatewayOverHttp(
  db: Database,
  keyDir: string,
  options: { logger?: Logger; maxConcurrentPerIdentity?: number; skills?: SkillsExtension } = {},
): Promise<GatewayOverHttp> {
  const logger = options.logger ?? createLogger({ level: 'silent' })
  // Tokens minted here directly: no authorization server runs at this issuer URL.
  const issuer = await devIssuer(keyDir, 'http://127.0.0.1:1')
  const gateway = await testGateway(db, {
    logger,
    skills: options.skills,
    ...(options.maxConcurrentPerIdentity === undefined
      ? {}
      : { maxConcurrentPerIdentity: options.maxConcurrentPerIdentity }),
  })
  let handlers: Required<Handlers> | undefined
  const starting = () => new Response('starting', { status: 503 })
  const server = await listen(
    {
      fetch: (request) => handlers?.fetch(request) ?? starting(),
      mcp: (request) => handlers?.mcp(request) ?? starting(),
    },
    '127.0.0.1',
    0,
  )
  // The port first: the resource URLs are the tokens' audiences.
  handlers = servedHandlers({
    db,
    logger,
    gateway,
    publicUrl: server.url,
    access: { issuer: issuer.url, verify: devTokenVerifier(issuer, servedResources(server.url)) },
  })
  const [resource] = servedResources(server.url)
  return {
    url: server.url,
    resource,
    issuer,
    token: (sub = 'demo|maya-okafor', role = 'customer', scopes = undefined) =>
      issueDevToken(issuer, { sub, role, ttlSeconds: 3600, audience: resource, scopes }),
    close: () => server.close(),
  }
}
