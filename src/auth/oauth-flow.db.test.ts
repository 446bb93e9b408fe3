import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  Client,
  StreamableHTTPClientTransport,
  UnauthorizedError,
} from '@modelcontextprotocol/client'
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { fixturePack } from '../../test/fixture-pack/index.ts'
import { ADA, ROSA } from '../../test/fixture-pack/people.ts'
import { Capture } from '../../test/support/capture.ts'
import { begin, call, testGateway } from '../../test/support/gateway-client.ts'
import { browseSignIn, HeadlessOAuth } from '../../test/support/headless-oauth.ts'
import {
  clientDocument,
  DocumentHost,
  trustLoopbackCertificate,
} from '../../test/support/metadata-documents.ts'
import { freePort } from '../../test/support/ports.ts'
import { pgliteTarget, type TestDatabase } from '../../test/support/test-databases.ts'
import { type FetchHandler, listen, type RunningServer } from '../http/listen.ts'
import { servedHandlers, servedResources } from '../http/served-handlers.ts'
import { createLogger } from '../lib/logger.ts'
import { packScopes } from '../pack/domain-pack.ts'
import { type DevAccount, type DevAuthServer, startDevAuthServer } from './dev-server.ts'
import { devIssuer, devKey, issueDevToken } from './dev-token.ts'
import { resourceMetadataUrl } from './protected-resource.ts'
import { startSignIn } from './sign-in.ts'
import { tokenVerifier } from './token-verifier.ts'

const ACCOUNTS: DevAccount[] = [
  { sub: ADA.sub, name: 'Ada Park', email: 'ada.park@example.com', role: 'customer' },
  { sub: ROSA.sub, name: 'Rosa (staff)', email: 'rosa@example.com', role: 'staff' },
  // Names come from data anyone may have written: the page must show them, never run them.
  {
    sub: 'demo|mallory',
    name: '<img src=x onerror=alert(1)>',
    email: 'mallory@example.com',
    role: 'customer',
  },
]

describe('signing in with OAuth through the development authorization server', () => {
  let db: TestDatabase
  let dir: string
  let server: RunningServer
  let auth: DevAuthServer
  let resource: string
  const log = new Capture()
  /** Who the development server signs in without a page (undefined: the page is shown). */
  let automatic: string | undefined = ADA.sub

  beforeAll(async () => {
    // A client's metadata document is served over https on loopback, with a test certificate.
    trustLoopbackCertificate()
    db = await pgliteTarget.open('fixture')
    await fixturePack.loadDemoData?.(db)
    dir = await mkdtemp(join(tmpdir(), 'fte-oauth-'))
    // Everything, at the most detailed level: one test reads it for secrets.
    const logger = createLogger({ level: 'trace', format: 'json', destination: log })
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
      scopes: packScopes(fixturePack),
      signingKey: (await devKey(dir)).privateJwk,
      accounts: async () => ACCOUNTS,
      autoSignIn: () => automatic,
    })
    ;({ fetch: app, mcp } = servedHandlers({
      scopes: packScopes(fixturePack),
      db,
      logger,
      gateway: await testGateway(db, { pack: fixturePack, logger }),
      publicUrl: server.url,
      access: {
        issuer: auth.issuer,
        // As for any external issuer: its keys fetched from its JWKS URL.
        verify: tokenVerifier({
          issuer: auth.issuer,
          audience: resources,
          keys: { url: `${auth.issuer}/jwks` },
        }),
        mcpAudience: resources[0],
      },
    }))
  })
  beforeEach(() => {
    automatic = ADA.sub
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
    // RFC 9207: the answer names its issuer, which the SDK checks before redeeming the code.
    expect(oauth.callback?.get('iss')).toBe(auth.issuer)
    await attempt.finishAuth(oauth.callback ?? new URLSearchParams())

    const client = new Client({ name: 'oauth-e2e', version: '1.0.0' })
    await client.connect(transport())
    const session = await begin(client)
    const mine = await call(client, 'domain_get_booking', { session, booking: 1 })
    expect(mine.isError).toBe(false)
    expect(mine.text).toContain('ada.park@example.com')
    await client.close()

    const token = decodeJwt(oauth.tokens()?.access_token ?? '')
    expect(token).toMatchObject({ iss: auth.issuer, aud: resource, sub: ADA.sub })
    // A customer gets what a customer may have, and not staff.
    expect(String(token.scope).split(' ').sort()).toEqual(['cancel', 'read', 'write'])
  })

  it("takes the official SDK client in by its metadata document's URL, registering nothing", async () => {
    const documents = await DocumentHost.start((url) => ({ body: clientDocument(url) }), 'https')
    const url = documents.url('/client.json')
    const requests: string[] = []
    const recording: typeof fetch = (input, init) => {
      requests.push(`${init?.method ?? 'GET'} ${input instanceof Request ? input.url : input}`)
      return fetch(input, init)
    }
    try {
      const oauth = new HeadlessOAuth({ clientMetadataUrl: url })
      const transport = () =>
        new StreamableHTTPClientTransport(new URL(resource), {
          authProvider: oauth,
          fetch: recording,
        })
      const attempt = transport()
      await expect(
        new Client({ name: 'oauth-e2e', version: '1.0.0' }).connect(attempt),
      ).rejects.toThrow(UnauthorizedError)
      expect(oauth.callback?.get('iss')).toBe(auth.issuer)
      await attempt.finishAuth(oauth.callback ?? new URLSearchParams())
      const client = new Client({ name: 'oauth-e2e', version: '1.0.0' })
      await client.connect(transport())
      const mine = await call(client, 'domain_get_booking', {
        session: await begin(client),
        booking: 1,
      })
      expect(mine.text).toContain('ada.park@example.com')
      await client.close()

      expect(oauth.clientInformation()?.client_id).toBe(url)
      expect(decodeJwt(oauth.tokens()?.access_token ?? '')).toMatchObject({
        client_id: url,
        sub: ADA.sub,
      })
      // The code was redeemed, and nothing was registered; the issuer read the document once.
      expect(requests).toContain(`POST ${auth.issuer}/token`)
      expect(requests.filter((r) => r.startsWith('POST') && r.endsWith('/reg'))).toEqual([])
      expect(documents.hits.get('/client.json')).toBe(1)
    } finally {
      await documents.close()
    }
  })

  /** The SDK client's sign-in, start to finish: 401, discovery, registration, PKCE, the token. */
  async function signIn(oauth: HeadlessOAuth): Promise<Client> {
    const transport = () =>
      new StreamableHTTPClientTransport(new URL(resource), { authProvider: oauth })
    const attempt = transport()
    await expect(
      new Client({ name: 'oauth-e2e', version: '1.0.0' }).connect(attempt),
    ).rejects.toThrow(UnauthorizedError)
    await attempt.finishAuth(oauth.callback ?? new URLSearchParams())
    const client = new Client({ name: 'oauth-e2e', version: '1.0.0' })
    await client.connect(transport())
    return client
  }

  it('signs in whoever is picked on the sign-in page: staff get the staff scope', async () => {
    automatic = undefined
    const oauth = new HeadlessOAuth({ account: ROSA.sub })
    const client = await signIn(oauth)
    const page = oauth.signInPage ?? ''
    expect(page).toContain('Ada Park')
    expect(page).toContain('Rosa (staff)')
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;')
    // Who asks (in its own words), for what, and where the browser goes next.
    expect(page).toContain(
      '<strong>headless test client</strong> (a name an application gave itself when it registered here)' +
        ` asks to use <code>${resource}</code>`,
    )
    expect(page).toContain('Afterwards your browser goes to <strong>127.0.0.1:53682</strong>')
    expect(page).toContain('read, write, cancel, staff')
    expect(page).not.toContain('<img')
    const token = decodeJwt(oauth.tokens()?.access_token ?? '')
    expect(token.sub).toBe(ROSA.sub)
    // The client asked for what the 401 named (every scope); staff is granted to staff only.
    expect(String(token.scope).split(' ').sort()).toEqual(['cancel', 'read', 'staff', 'write'])
    const session = await begin(client)
    const someones = await call(client, 'domain_get_booking', {
      session,
      booking: 1,
      person: 'ben.cole@example.com',
    })
    expect(someones.isError).toBe(false)
    expect(someones.text).toContain('ben.cole@example.com')
    await client.close()
  })

  it('asks for a missing scope with 403, and the SDK client signs in again for it (step-up)', async () => {
    automatic = undefined
    // A token that may only read, from this issuer (as a script might hold).
    const readOnly = await issueDevToken(await devIssuer(dir, auth.issuer), {
      sub: ADA.sub,
      role: 'customer',
      scopes: ['read'],
      ttlSeconds: 600,
      audience: resource,
    })
    const oauth = new HeadlessOAuth({
      account: ADA.sub,
      tokens: { access_token: readOnly, token_type: 'Bearer', scope: 'read', issuer: auth.issuer },
    })
    const transport = new StreamableHTTPClientTransport(new URL(resource), {
      authProvider: oauth,
    })
    const client = new Client({ name: 'step-up', version: '1.0.0' })
    await client.connect(transport)
    const session = await begin(client)
    const booking = { session, room: 'Cedar', day: '2031-05-06' }
    // 403 insufficient_scope (scope="write") → the client sends the user to sign in again.
    await expect(call(client, 'domain_book_room', booking)).rejects.toThrow(UnauthorizedError)
    // Counted as a refusal of Ada's, in its minute's row.
    const { rows: refused } = await db.query<{ calls: number }>(
      `SELECT (capabilities->>'mcp:domain_book_room')::int AS calls FROM refused_calls
       WHERE subject = $1 AND reason = 'insufficient_scope'`,
      [ADA.sub],
    )
    expect(refused).toEqual([{ calls: 1 }])
    await transport.finishAuth(oauth.callback ?? new URLSearchParams())
    expect(String(decodeJwt(oauth.tokens()?.access_token ?? '').scope).split(' ')).toEqual(
      expect.arrayContaining(['read', 'write']),
    )
    // Now the call runs: the room is booked.
    const answered = await call(client, 'domain_book_room', booking)
    expect(answered.data).toMatchObject({ booking: { number: 3, room: 'Cedar' } })
    await client.close()
  })

  it('logs and audits a whole run, at the most detailed level, without a token, code or handle', async () => {
    const from = log.text.length
    automatic = undefined
    const oauth = new HeadlessOAuth({ account: ADA.sub })
    const client = await signIn(oauth)
    const session = await begin(client)
    const token = oauth.tokens()?.access_token ?? ''
    expect((await call(client, 'domain_get_booking', { session, booking: 1 })).isError).toBe(false)
    // Wrong on purpose: a forged handle, a handle as the bearer, a token in the URL, a bad token.
    await call(client, 'domain_get_booking', { session: `${session}x`, booking: 1 })
    await client.close()
    const post = (url: string, bearer?: string) =>
      fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }),
        },
        body: '{}',
      })
    expect((await post(resource, session)).status).toBe(401)
    expect((await post(`${resource}?access_token=${token}`)).status).toBe(401)
    expect((await post(resource, `${token}x`)).status).toBe(401)
    expect((await fetch(`${server.url}/api/me?access_token=${token}`)).status).toBe(401)

    const written = log.text.slice(from)
    const lines = written.split('\n').filter(Boolean)
    expect(lines.filter((line) => line.includes('"path":')).length).toBeGreaterThan(8)
    const secrets = [
      token,
      session,
      oauth.callback?.get('code') ?? '',
      oauth.codeVerifier(),
      String(oauth.clientInformation()?.client_id ?? ''),
    ]
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(10)
      expect(written).not.toContain(secret)
    }
    expect(written).not.toMatch(/eyJ[\w-]{10,}\.eyJ/) // no JWT of any kind
    expect(written).not.toContain('fses_') // no session handle
    for (const secret of [token, session]) {
      const { rows } = await db.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM capability_invocations
                 WHERE arguments::text LIKE '%' || $1 || '%' OR result::text LIKE '%' || $1 || '%')
              + (SELECT count(*) FROM audit_log WHERE payload::text LIKE '%' || $1 || '%') AS n`,
        [secret.slice(-40)],
      )
      expect(Number(rows[0]?.n)).toBe(0)
    }
  })

  it('publishes where to sign in, and names it in every 401', async () => {
    const metadata = await fetch(resourceMetadataUrl(resource))
    expect(metadata.status).toBe(200)
    expect(await metadata.json()).toEqual({
      resource,
      authorization_servers: [auth.issuer],
      scopes_supported: ['read', 'write', 'cancel', 'staff'],
      bearer_methods_supported: ['header'],
      resource_name: 'digital-fte',
    })
    const refused = await fetch(resource, { method: 'POST', body: '{}' })
    expect(refused.status).toBe(401)
    expect(refused.headers.get('www-authenticate')).toContain(
      `resource_metadata="${resourceMetadataUrl(resource)}"`,
    )
    const home = await fetch(`${auth.issuer}/`)
    expect(home.status).toBe(200)
    expect(await home.text()).toContain('Nothing to do here: an MCP client finds it on its own')
    const discovery = await fetch(`${auth.issuer}/.well-known/oauth-authorization-server`)
    expect(await discovery.json()).toMatchObject({
      issuer: auth.issuer,
      code_challenge_methods_supported: ['S256'],
      registration_endpoint: `${auth.issuer}/reg`,
    })
  })

  it('remembers the clients registered with it across a restart (clients keep their id)', async () => {
    const clientsFile = join(dir, 'clients', 'dev-auth-clients.json')
    const port = await freePort()
    const signingKey = (await devKey(dir)).privateJwk
    const start = () =>
      startDevAuthServer({
        resources: [resource],
        scopes: packScopes(fixturePack),
        signingKey,
        accounts: async () => ACCOUNTS,
        port,
        clientsFile,
        autoSignIn: () => ADA.sub,
      })
    let issuer = await start()
    const redirect = 'http://127.0.0.1:53682/callback'
    const registered = await fetch(`${issuer.issuer}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        redirect_uris: [redirect],
        token_endpoint_auth_method: 'none',
        client_name: 'keeps its id',
      }),
    })
    const { client_id: clientId } = (await registered.json()) as { client_id: string }
    await issuer.close()
    issuer = await start()
    try {
      const { callback } = await browseSignIn(
        new URL(
          `${issuer.issuer}/auth?${new URLSearchParams({
            client_id: clientId,
            response_type: 'code',
            redirect_uri: redirect,
            code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
            code_challenge_method: 'S256',
            scope: 'read',
            resource,
          })}`,
        ),
        redirect,
      )
      expect(callback.searchParams.get('error')).toBeNull()
      expect(callback.searchParams.get('code')).toBeTruthy()
      expect((await stat(clientsFile)).mode & 0o777).toBe(0o600)
    } finally {
      await issuer.close()
    }
  })

  it('serves scripts with client credentials, and an external issuer is found by discovery', async () => {
    const issuerOfScripts = await startDevAuthServer({
      resources: [resource],
      scopes: packScopes(fixturePack),
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
          scopes: packScopes(fixturePack),
          auth: {
            issuer,
            audience: undefined,
            jwksUrl: undefined,
            webClientId: undefined,
            devPort: undefined,
            disabled: undefined,
          },
          resources: [resource],
          dataDir: dir,
          devPort: 0,
          accounts: async () => [],
          webRedirectUris: [],
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
