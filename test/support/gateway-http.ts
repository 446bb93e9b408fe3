import type { SkillsExtension } from '@modelcontextprotocol/server/ext/skills'
import { inProcessAccess } from '../../src/agent/gateway-access.ts'
import type { Worker } from '../../src/agent/worker.ts'
import {
  type DevIssuer,
  devIssuer,
  devTokenVerifier,
  issueDevToken,
} from '../../src/auth/dev-token.ts'
import type { Identity } from '../../src/auth/identity.ts'
import { scopesFor } from '../../src/auth/scopes.ts'
import { parseConfig } from '../../src/config/config.ts'
import { type Handlers, listen } from '../../src/http/listen.ts'
import { servedHandlers, servedResources } from '../../src/http/served-handlers.ts'
import { RunningTurns } from '../../src/http/turn-stream.ts'
import type { Logger } from '../../src/lib/logger.ts'
import { createLogger } from '../../src/lib/logger.ts'
import { packageRoot } from '../../src/lib/package-root.ts'
import { type DomainPack, packScopes } from '../../src/pack/domain-pack.ts'
import { ChangeFeed } from '../../src/store/change-feed.ts'
import type { Database } from '../../src/store/database.ts'
import type { RateLimit } from '../../src/store/rate-limiter.ts'
import { testGateway } from './gateway-client.ts'
import type { ScriptedOpenAiServer } from './scripted-openai-server.ts'
import { testWorker } from './worker-fixture.ts'

export interface GatewayOverHttp {
  /** The server's URL: the resource of `/api`. */
  url: string
  /** The `/mcp` URL: the resource (the tokens' audience) of the gateway. */
  resource: string
  issuer: DevIssuer
  /**
   * A development token for `/mcp`, for `person` unless `sub` names another; every scope of the
   * role unless `scopes` says otherwise.
   */
  token(sub?: string, role?: Identity['role'], scopes?: readonly string[]): Promise<string>
  /** A development token for `/api` (the server's own resource), for `person` unless `sub` says. */
  apiToken(sub?: string, role?: Identity['role']): Promise<string>
  /** A request to this server with `token`; a POST always carries a JSON body (`{}` by default). */
  send(method: 'GET' | 'POST', path: string, token: string, body?: unknown): Promise<Response>
  /** The chat API's Worker (when a model was given) and its running turns. */
  worker: Worker | undefined
  running: RunningTurns
  close(): Promise<void>
}

export interface ChatApiFixture {
  /** The scripted model the Worker talks to; undefined: no model is configured. */
  model: Pick<ScriptedOpenAiServer, 'url'> | undefined
  rateLimit?: RateLimit
  /** Who hears set-up hints; default `everyone` (this server listens on loopback only). */
  operatorHints?: 'everyone' | 'staff'
}

/**
 * What `fte serve` answers once ready (servedHandlers), on a free loopback port: development
 * tokens from a key in `keyDir`, the real Host/Origin, bearer and scope checks.
 */
export async function serveGatewayOverHttp(
  db: Database,
  keyDir: string,
  options: {
    /** The pack the gateway (and the chat API's Worker) serves. */
    pack: DomainPack
    /** The customer the tokens are for when a test names nobody. */
    person: string
    logger?: Logger
    maxConcurrentPerIdentity?: number
    /** The gateway's per-identity budget in Postgres; unset: none. */
    rateLimit?: RateLimit
    skills?: SkillsExtension
    /** Serve the chat API too, with a Worker on this model. */
    chat?: ChatApiFixture
  },
): Promise<GatewayOverHttp> {
  const logger = options.logger ?? createLogger({ level: 'silent' })
  // Tokens minted here directly: no authorization server runs at this issuer URL.
  const issuer = await devIssuer(keyDir, 'http://127.0.0.1:1')
  const { pack, person } = options
  const gateway = await testGateway(db, {
    pack,
    logger,
    skills: options.skills,
    rateLimit: options.rateLimit,
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
  const running = new RunningTurns()
  const { chat } = options
  const feed = new ChangeFeed(db, logger)
  if (chat !== undefined) await feed.start()
  // With no model, what the configuration says when nothing is set.
  const noModel = parseConfig({}, { cwd: packageRoot() }).llm
  const worker =
    chat?.model === undefined
      ? undefined
      : await testWorker(db, chat.model, { pack, gateway: inProcessAccess(gateway) })
  // The port first: the resource URLs are the tokens' audiences.
  handlers = servedHandlers({
    db,
    logger,
    gateway,
    publicUrl: server.url,
    scopes: packScopes(pack),
    access: {
      issuer: issuer.url,
      verify: devTokenVerifier(issuer, servedResources(server.url)),
      mcpAudience: servedResources(server.url)[0],
    },
    chat:
      chat === undefined
        ? undefined
        : {
            db,
            worker,
            workerProblem: worker !== undefined || noModel.configured ? undefined : noModel.problem,
            model: { provider: 'compatible', name: 'gpt-4o-mini' },
            rateLimit: chat.rateLimit ?? { perMinute: 1000, burst: 1000 },
            maxMessageChars: 5000,
            logger,
            running,
            decide: (decision) => gateway.decide(decision),
            feed,
            staff: pack.staff,
            // It listens on 127.0.0.1 only, as `fte serve` does by default.
            operatorHints: chat.operatorHints ?? 'everyone',
          },
  })
  const [resource, root] = servedResources(server.url)
  return {
    url: server.url,
    resource,
    issuer,
    token: (
      sub = person,
      role: Identity['role'] = 'customer',
      scopes: readonly string[] = scopesFor(role, packScopes(pack)),
    ) => issueDevToken(issuer, { sub, role, ttlSeconds: 3600, audience: resource, scopes }),
    apiToken: (sub = person, role: Identity['role'] = 'customer') =>
      issueDevToken(issuer, {
        sub,
        role,
        ttlSeconds: 3600,
        audience: root,
        scopes: scopesFor(role, packScopes(pack)),
      }),
    send: (method, path, token, body) =>
      fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(method === 'GET' ? {} : { body: JSON.stringify(body ?? {}) }),
      }),
    worker,
    running,
    async close() {
      await feed.close()
      await server.close()
      await running.settle(10_000)
      await worker?.close()
    },
  }
}
