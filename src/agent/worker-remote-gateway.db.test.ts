import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server'
import { describe, expect, it } from 'vitest'
import { loadFixtureDemoData } from '../../test/fixture-pack/demo-data.ts'
import { fixturePack } from '../../test/fixture-pack/index.ts'
import { ADA } from '../../test/fixture-pack/people.ts'
import { testGateway } from '../../test/support/gateway-client.ts'
import { serveGatewayOverHttp } from '../../test/support/gateway-http.ts'
import { reply, scriptedModel } from '../../test/support/scripted-model.ts'
import { pgliteTarget } from '../../test/support/test-databases.ts'
import { collect, testWorker } from '../../test/support/worker-fixture.ts'
import { authenticate } from '../auth/bearer.ts'
import { devIssuer, devTokenVerifier, issueDevToken } from '../auth/dev-token.ts'
import { scopesFor } from '../auth/scopes.ts'
import { listen } from '../http/listen.ts'
import { createLogger } from '../lib/logger.ts'
import { packScopes } from '../pack/domain-pack.ts'
import type { Database } from '../store/database.ts'
import { httpAccess } from './gateway-access.ts'
import type { GatewayClient } from './gateway-client.ts'
import type { WorkerEvent } from './worker-events.ts'

const message = (events: WorkerEvent[]) =>
  events.find((e): e is Extract<WorkerEvent, { type: 'message' }> => e.type === 'message')?.text

/**
 * The gateway as a server built before 2026-07-28 serves it: per request, a fresh MCP server on
 * the SDK's streamable HTTP transport, stateless, behind the same bearer check as `/mcp`. A
 * server connected by hand offers only 2025 (no `server/discover`).
 */
async function serveOnly2025(db: Database, keyDir: string) {
  const logger = createLogger({ level: 'silent' })
  const issuer = await devIssuer(keyDir, 'http://127.0.0.1:1')
  const gateway = await testGateway(db, { pack: fixturePack, logger })
  let resource = ''
  const server = await listen(
    {
      fetch: async (request) => {
        const checked = await authenticate(request, {
          verify: devTokenVerifier(issuer, resource),
          logger,
        })
        if (checked instanceof Response) return checked
        const transport = new WebStandardStreamableHTTPServerTransport({
          sessionIdGenerator: undefined,
        })
        await gateway.serverFor(checked.identity).connect(transport)
        return transport.handleRequest(request)
      },
    },
    '127.0.0.1',
    0,
  )
  resource = `${server.url}/mcp`
  return {
    resource,
    token: () =>
      issueDevToken(issuer, {
        sub: ADA.sub,
        role: 'customer',
        ttlSeconds: 3600,
        audience: resource,
        scopes: scopesFor('customer', packScopes(fixturePack)),
      }),
    close: () => server.close(),
  }
}

/** The two gateways a Worker may meet over HTTP, and the revision it should settle on with each. */
const GATEWAYS = [
  {
    title: 'runs a turn through /mcp as the token’s subject, in the newest revision (2026-07-28)',
    serve: (db: Database, keys: string) =>
      serveGatewayOverHttp(db, keys, { pack: fixturePack, person: ADA.sub }),
    era: 'modern',
    protocol: /^2026-07-28$/,
  },
  {
    title: 'runs a turn against a gateway that serves only the 2025 protocol, in 2025',
    serve: serveOnly2025,
    era: 'legacy',
    protocol: /^2025-/,
  },
] as const

describe('the Worker over a remote gateway (streamable HTTP with a bearer token)', () => {
  for (const { title, serve, era, protocol } of GATEWAYS) {
    it(title, async () => {
      const db = await pgliteTarget.open('fixture')
      await loadFixtureDemoData(db)
      const keys = await mkdtemp(join(tmpdir(), 'fte-keys-'))
      const model = await scriptedModel().start()
      const served = await serve(db, keys)
      try {
        model.enqueue(
          reply({ toolCalls: [{ name: 'domain_get_booking', arguments: { booking: 1 } }] }),
          reply({ text: 'Found booking #1.' }),
        )
        const access = httpAccess({
          url: served.resource,
          token: await served.token(),
          timeoutMs: 10_000,
        })
        const worker = await testWorker(db, model, { pack: fixturePack, gateway: access })
        const events = await collect(worker.send({ message: 'where is booking #1' }))
        expect(message(events)).toBe('Found booking #1.')
        const connection = (await access.connect()) as GatewayClient
        expect(connection.era).toBe(era)
        expect(connection.protocol).toMatch(protocol)
        const { rows } = await db.query<{ user_id: string }>(
          'SELECT user_id FROM conversations WHERE id = $1',
          [events[0]?.conversationId],
        )
        expect(rows[0]?.user_id).toBe('demo|ada-park')
        await worker.close()
      } finally {
        await served.close()
        await model.stop()
        await db.close()
        await rm(keys, { recursive: true, force: true })
      }
    })
  }
})
