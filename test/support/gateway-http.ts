import {
  type DevIssuer,
  devIssuer,
  devTokenVerifier,
  issueDevToken,
} from '../../src/auth/dev-token.ts'
import { mcpHttpHandler } from '../../src/gateway/http.ts'
import type { Identity } from '../../src/gateway/identity.ts'
import type { Logger } from '../../src/lib/logger.ts'
import { createLogger } from '../../src/lib/logger.ts'
import { createApp } from '../../src/server/app.ts'
import { listen } from '../../src/server/listen.ts'
import type { Database } from '../../src/store/database.ts'
import { testGateway } from './gateway-client.ts'

export interface GatewayOverHttp {
  /** The `/mcp` URL, which is also the tokens' audience. */
  resource: string
  issuer: DevIssuer
  /** A development token for this server. */
  token(sub?: string, role?: Identity['role']): Promise<string>
  close(): Promise<void>
}

/**
 * The app with `/mcp` mounted, on a free loopback port, the way `fte serve` wires it: development
 * tokens from a key in `keyDir`, the real Host/Origin and bearer checks.
 */
export async function serveGatewayOverHttp(
  db: Database,
  keyDir: string,
  options: { logger?: Logger; maxConcurrentPerIdentity?: number } = {},
): Promise<GatewayOverHttp> {
  const logger = options.logger ?? createLogger({ level: 'silent' })
  // Tokens minted here directly: no authorization server runs at this issuer URL.
  const issuer = await devIssuer(keyDir, 'http://127.0.0.1:1')
  let verify = (_token: string): Promise<Identity> => Promise.reject(new Error('not listening yet'))
  const mcp = mcpHttpHandler({
    gateway: await testGateway(db, {
      logger,
      ...(options.maxConcurrentPerIdentity === undefined
        ? {}
        : { maxConcurrentPerIdentity: options.maxConcurrentPerIdentity }),
    }),
    verify: (token) => verify(token),
    publicUrl: 'http://127.0.0.1',
    logger,
  })
  const server = await listen({ fetch: createApp({ db, logger }).fetch, mcp }, '127.0.0.1', 0)
  const resource = `${server.url}/mcp`
  verify = devTokenVerifier(issuer, resource)
  return {
    resource,
    issuer,
    token: (sub = 'demo|maya-okafor', role = 'customer') =>
      issueDevToken(issuer, { sub, role, ttlSeconds: 3600, audience: resource }),
    close: () => server.close(),
  }
}
