import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  Client,
  StreamableHTTPClientTransport,
  UnauthorizedError,
} from '@modelcontextprotocol/client'
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadDemoData } from '../../domains/support/seed/load-demo-data.ts'
import { begin, call, testGateway } from '../../test/support/gateway-client.ts'
import { HeadlessOAuth } from '../../test/support/headless-oauth.ts'
import { pgliteTarget, type TestDatabase } from '../../test/support/test-databases.ts'
import { createLogger } from '../lib/logger.ts'
import { type FetchHandler, listen, type RunningServer } from '../server/listen.ts'
import { servedHandlers, servedResources } from '../server/served-handlers.ts'
import { type DevAccount, type DevAuthServer, startDevAuthServer } from './dev-server.ts'
import { devKey } from './dev-token.ts'
import { resourceMetadataUrl } from './protected-resource.ts'
import { startSignIn } from './sign-in.ts'
import { tokenVerifier } from './token-verifier.ts'

const ACCOUNTS: DevAccount[] = [
  {
    sub: 'demo|maya-okafor',
    name: 'Maya Okafor',
    email: 'maya.okafor@example.com',
    role: 'customer',
  },
  { sub: 'demo|staff-sam', name: 'Sam (staff)', email: 'sam@example.com', role: 'staff' },
]

describe('signing in with OAuth through the development authorization server', () => {
  let db: TestDatabase
  let dir: string
  let server: RunningServer
  let auth: DevAuthServer
  let resource: string

  beforeAll(async () => {
    db = await pgliteTarget.open('migrated')
    await loadDemoData(db)
    dir = await mkdtemp(join(tmpdir(), 'fte-oauth-'))
    const logger = createLogger({ level: 'silent' })
    // The port first: the resource URL is the tokens' audience.
    let app: FetchHandler = () => new Response('starting', { status: 503 })
    let mcp: FetchHandler = app
    server = await listen(
      { fetch: (request) => app(request), mcp: (request) => mcp(request) },
      '127.0.0.1',
      0,
    )
    const resources = servedResources(server.url)
    ;[resource] = resources
    auth = await startDevAuthServer({
      resources,
      signingKey: (await devKey(dir)).privateJwk,
      accounts: async () => ACCOUNTS,
      autoSignIn: 'demo|maya-okafor',
    })
    ;({ fetch: app, mcp } = servedHandlers({
      db,
      logger,
      gateway: await testGateway(db),
      publicUrl: server.url,
      issuer: auth.issuer,
      // As for any external issuer: its keys fetched from its JWKS URL.
      verify: tokenVerifier({
        issuer: auth.issuer,
        audience: resources,
        keys: { url: `${auth.issuer}/jwks` },
      }),
    }))
  })
  afterAll(async () => {
    await server?.close()
    await auth?.close()
    await db?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('takes the official SDK client from a 401 through discovery, registration and PKCE to the tools', async () => {
    const oauth = new HeadlessOAuth()
    const transport = () =>
      new StreamableHTTPClientTransport(new URL(resource), { authProvider: oauth })
    const first = new Client({ name: 'oauth-e2e', version: '1.0.0' })
    const attempt = transport()
    // No token yet: 401 → metadata → registration → authorization (PKCE) → redirect with a code.
    await expect(first.connect(attempt)).rejects.toThrow(UnauthorizedError)
    expect(oauth.callback?.get('code')).toBeTruthy()
    await attempt.finishAuth(oauth.callback ?? new URLSearchParams())

    const client = new Client({ name: 'oauth-e2e', version: '1.0.0' })
    await client.connect(transport())
    const session = await begin(client)
    const me = await call(client, 'domain_lookup_customer', { session })
    expect(me.isError).toBe(false)
    expect(me.text).toContain('Maya Okafor')
    await client.close()

    const token = decodeJwt(oauth.tokens()?.access_token ?? '')
    expect(token).toMatchObject({ iss: auth.issuer, aud: resource, sub: 'demo|maya-okafor' })
    // A customer gets what a customer may have, and not staff.
    expect(String(token.scope).split(' ').sort()).toEqual(['read', 'refund', 'write'])
  })

  it('publishes where to sign in, and names it in every 401', async () => {
    const metadata = await fetch(resourceMetadataUrl(resource))
    expect(metadata.status).toBe(200)
    expect(await metadata.json()).toEqual({
      resource,
      authorization_servers: [auth.issuer],
      scopes_supported: ['read', 'write', 'refund', 'staff'],
      bearer_methods_supported: ['header'],
      resource_name: 'digital-fte',
    })
    const refused = await fetch(resource, { method: 'POST', body: '{}' })
    expect(refused.status).toBe(401)
    expect(refused.headers.get('www-authenticate')).toContain(
      `resource_metadata="${resourceMetadataUrl(resource)}"`,
    )
    const discovery = await fetch(`${auth.issuer}/.well-known/oauth-authorization-server`)
    expect(await discovery.json()).toMatchObject({
      issuer: auth.issuer,
      code_challenge_methods_supported: ['S256'],
      registration_endpoint: `${auth.issuer}/reg`,
    })
  })

  it('serves scripts with client credentials, and an external issuer is found by discovery', async () => {
    const issuerOfScripts = await startDevAuthServer({
      resources: [resource],
      signingKey: (await devKey(join(dir, 'scripts'))).privateJwk,
      accounts: async () => [],
      scriptClients: [
        { clientId: 'nightly-report', clientSecret: 'not-a-real-secret', scope: 'read' },
      ],
    })
    try {
      const response = await fetch(`${issuerOfScripts.issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from('nightly-report:not-a-real-secret').toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope: 'read' }),
      })
      expect(response.status).toBe(200)
      const { access_token: token } = (await response.json()) as { access_token: string }
      // This server, told to trust that issuer (AUTH_ISSUER), finds its keys by discovery.
      const trusting = (issuer: string) =>
        startSignIn({
          auth: { issuer, audience: undefined, jwksUrl: undefined, devPort: 0 },
          resources: [resource],
          dataDir: dir,
          accounts: async () => [],
        })
      const signIn = await trusting(issuerOfScripts.issuer)
      expect(signIn.development).toBe(false)
      expect(await signIn.verify(token)).toEqual({
        sub: 'nightly-report',
        role: 'customer',
        scopes: ['read'],
      })
      await expect(trusting('http://127.0.0.1:9')).rejects.toThrow(
        /Cannot find the key set of AUTH_ISSUER http:\/\/127.0.0.1:9 .*set AUTH_JWKS_URL/,
      )
    } finally {
      await issuerOfScripts.close()
    }
  })
})
