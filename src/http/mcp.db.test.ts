import { mkdtemp, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  Client,
  type ClientOptions,
  InsufficientScopeError,
  type ProtocolEra,
  StreamableHTTPClientTransport,
} from '@modelcontextprotocol/client'
import { generateKeyPair, SignJWT } from 'jose'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { fixturePack } from '../../test/fixture-pack/index.ts'
import { ADA, ROSA } from '../../test/fixture-pack/people.ts'
import { begin, call, ERAS, testGateway } from '../../test/support/gateway-client.ts'
import { type GatewayOverHttp, serveGatewayOverHttp } from '../../test/support/gateway-http.ts'
import { answerOf, mcpRequest, openingRequest } from '../../test/support/mcp-request.ts'
import { describeEachDatabase, type TestDatabase } from '../../test/support/test-databases.ts'
import { devIssuer, issueDevToken } from '../auth/dev-token.ts'
import { scopesFor } from '../auth/scopes.ts'
import { tokenVerifier } from '../auth/token-verifier.ts'
import { createLogger } from '../lib/logger.ts'
import { packScopes } from '../pack/domain-pack.ts'
import { mcpHttpHandler } from './mcp.ts'

describeEachDatabase('MCP gateway over HTTP (/mcp)', (target) => {
  let db: TestDatabase
  let dir: string
  let served: GatewayOverHttp
  let resource: string

  beforeEach(async () => {
    db = await target.open('fixture')
    await fixturePack.loadDemoData?.(db)
    dir = await mkdtemp(join(tmpdir(), 'fte-http-'))
    served = await serveGatewayOverHttp(db, dir, { pack: fixturePack, person: ADA.sub })
    resource = served.resource
  })
  afterEach(async () => {
    await served.close()
    await db.close()
    await rm(dir, { recursive: true, force: true })
  })

  const token = (sub = ADA.sub, role: 'customer' | 'staff' = 'customer', audience = resource) =>
    issueDevToken(served.issuer, {
      sub,
      role,
      ttlSeconds: 600,
      audience,
      scopes: scopesFor(role, packScopes(fixturePack)),
    })

  /** The request opening a connection in `era`, with `headers`. */
  function post(
    headers: Record<string, string>,
    url = resource,
    era: ProtocolEra = 'legacy',
  ): Promise<Response> {
    return fetch(url, openingRequest(era, headers))
  }

  /** The official client on /mcp with `bearer`, connected with `options`. */
  async function connected(bearer: string, options: ClientOptions = {}): Promise<Client> {
    const client = new Client({ name: 'http-test', version: '1.0.0' }, options)
    await client.connect(
      new StreamableHTTPClientTransport(new URL(resource), {
        requestInit: { headers: { Authorization: `Bearer ${bearer}` } },
      }),
    )
    return client
  }

  describe.each(ERAS)('$era era', ({ era, revision, options }) => {
    it('serves the official SDK client with a bearer token, as that identity', async () => {
      const client = await connected(await token(), options)
      expect(client.getProtocolEra()).toBe(era)
      expect(client.getNegotiatedProtocolVersion()).toBe(revision)
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('begin_session')
      const session = await begin(client)
      const booking = await call(client, 'domain_get_booking', { session, booking: '#1' })
      expect(booking.isError).toBe(false)
      expect(booking.data.booking).toMatchObject({ number: 1, booked_by: 'ada.park@example.com' })
      const { rows } = await db.query<{ actor: string }>(
        `SELECT actor FROM capability_invocations WHERE capability = 'mcp:domain_get_booking'`,
      )
      expect(rows).toEqual([{ actor: `gateway:${ADA.sub}` }])
      await client.close()
    })

    it('answers calls, unknown tools and malformed bodies as the SDK does, tools still all listed', async () => {
      const client = await connected(await token(), options)
      const session = await begin(client)
      expect((await call(client, 'domain_get_booking', { session, booking: 1 })).isError).toBe(
        false,
      )
      await expect(client.callTool({ name: 'domain_no_such_tool', arguments: {} })).rejects.toThrow(
        /domain_no_such_tool not found/,
      )
      const listed = (await client.listTools()).tools.map((t) => t.name)
      expect(listed).toEqual(expect.arrayContaining(['begin_session', 'domain_cancel_booking']))
      expect(listed).toHaveLength(10)
      await client.close()
      const malformed = await fetch(resource, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          authorization: `Bearer ${await token()}`,
        },
        body: '{"jsonrpc": "2.0", "method": "tools/call", ',
      })
      expect(malformed.status).toBe(400)
      expect(await malformed.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 } })
    })

    it('gives the tool list a cache hint on 2026-07-28 only, leaving a 2025 answer as it was', async () => {
      const listed = await answerOf(
        await fetch(
          resource,
          mcpRequest(era, 'tools/list', {}, { authorization: `Bearer ${await token()}` }),
        ),
      )
      const result = listed.result as Record<string, unknown>
      expect(result.tools).toHaveLength(10)
      expect({ ttlMs: result.ttlMs, cacheScope: result.cacheScope }).toEqual(
        era === 'modern' ? { ttlMs: 5 * 60_000, cacheScope: 'public' } : {},
      )
    })

    it('answers 503, never a pass, while the issuer keys cannot be fetched', async () => {
      const handler = mcpHttpHandler({
        gateway: await testGateway(db, { pack: fixturePack }),
        // Nothing listens on port 9 (discard) here: the keys are out of reach.
        verify: tokenVerifier({
          issuer: 'https://issuer.test',
          audience: 'http://127.0.0.1/mcp',
          keys: { url: 'http://127.0.0.1:9/jwks', timeoutMs: 500 },
        }),
        publicUrl: 'http://127.0.0.1',
        logger: createLogger({ level: 'silent' }),
      })
      const token = await new SignJWT({ scope: 'read' })
        .setProtectedHeader({ alg: 'EdDSA', kid: 'k' })
        .setIssuer('https://issuer.test')
        .setAudience('http://127.0.0.1/mcp')
        .setSubject(ADA.sub)
        .setExpirationTime('5m')
        .sign((await generateKeyPair('EdDSA')).privateKey)
      const response = await handler(
        new Request(
          'http://127.0.0.1/mcp',
          openingRequest(era, { host: '127.0.0.1', authorization: `Bearer ${token}` }),
        ),
      )
      expect(response.status).toBe(503)
      expect(response.headers.get('retry-after')).toBe('5')
      expect(await response.json()).toMatchObject({ error: 'temporarily_unavailable' })
    })

    it('answers 401 without a token, with a bad one, or with a session handle as the token', async () => {
      const none = await post({}, resource, era)
      expect(none.status).toBe(401)
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer /)

      const otherKey = await devIssuer(join(dir, 'other'), served.issuer.url)
      const forged = await issueDevToken(otherKey, {
        sub: ADA.sub,
        role: 'staff',
        ttlSeconds: 600,
        audience: resource,
        scopes: ROSA.scopes,
      })
      const wrongAudience = await token(ADA.sub, 'customer', 'http://elsewhere.example/mcp')
      const client = await connected(await token(), options)
      const handle = await begin(client)
      // The other way round: an access token passed as the session handle.
      const confused = await call(client, 'domain_get_booking', {
        session: await token(),
        booking: 1,
      })
      expect(confused.isError).toBe(true)
      expect(confused.text).toMatch(/not a session handle/)
      await client.close()
      for (const bad of [forged, wrongAudience, handle, 'not.a.jwt', `${await token()}x`]) {
        const response = await post({ authorization: `Bearer ${bad}` }, resource, era)
        expect(response.status, bad.slice(0, 20)).toBe(401)
        expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"')
      }
      const elsewhere = await post({ authorization: `Bearer ${wrongAudience}` }, resource, era)
      expect(((await elsewhere.json()) as { error_description: string }).error_description).toBe(
        `The access token is for another server; this one is ${resource}. Mint one for it with ` +
          '`npm run --silent fte -- auth token` run with the same PORT (or PUBLIC_URL) as the server, or --resource.',
      )
      const inQuery = await post({}, `${resource}?access_token=${await token()}`, era)
      expect(inQuery.status).toBe(401)
    })

    it('answers a call the token has no scope for with 403 insufficient_scope naming the scope', async () => {
      const readOnly = await served.token(ADA.sub, 'customer', ['read'])
      const bookingsBefore = await db.query('SELECT 1 FROM bookings')
      const response = await fetch(
        resource,
        mcpRequest(
          era,
          'tools/call',
          { name: 'domain_book_room', arguments: { room: 'Birch', day: '2031-05-06' } },
          { authorization: `Bearer ${readOnly}` },
        ),
      )
      expect(response.status).toBe(403)
      const challenge = response.headers.get('www-authenticate') ?? ''
      expect(challenge).toMatch(/^Bearer /)
      expect(challenge).toContain('error="insufficient_scope"')
      expect(challenge).toContain('scope="write"')
      expect(challenge).toContain(
        `resource_metadata="${served.url}/.well-known/oauth-protected-resource/mcp"`,
      )
      expect(await response.json()).toMatchObject({ error: 'insufficient_scope', scope: 'write' })
      // Refused before it ran, and counted as a refusal (one row a minute, not one a call).
      expect((await db.query('SELECT 1 FROM bookings')).rows).toHaveLength(
        bookingsBefore.rows.length,
      )
      const { rows } = await db.query<{ reason: string; calls: number }>(
        `SELECT reason, (capabilities->>'mcp:domain_book_room')::int AS calls FROM refused_calls`,
      )
      expect(rows).toEqual([{ reason: 'insufficient_scope', calls: 1 }])
      expect(
        (
          await db.query(
            `SELECT 1 FROM capability_invocations WHERE capability = 'mcp:domain_book_room'`,
          )
        ).rows,
      ).toHaveLength(0)

      // The official client (no way to sign in again here) surfaces it as InsufficientScopeError.
      const client = await connected(readOnly, options)
      const session = await begin(client)
      expect((await call(client, 'domain_get_booking', { session, booking: 1 })).isError).toBe(
        false,
      )
      await expect(call(client, 'user_save_note', { session, text: 'hello' })).rejects.toThrow(
        InsufficientScopeError,
      )
      await client.close()
    })

    it('refuses a foreign Origin or Host (DNS rebinding) with 403', async () => {
      const auth = { authorization: `Bearer ${await token()}` }
      expect((await post({ ...auth, origin: 'https://evil.example' }, resource, era)).status).toBe(
        403,
      )
      expect(
        (await post({ ...auth, origin: 'http://localhost:5173' }, resource, era)).status,
      ).not.toBe(403)
      // fetch() will not send another Host header; node:http will.
      const opening = openingRequest(era, { ...auth, host: 'evil.example' })
      const rebinding = await new Promise<{ status: number }>((resolve, reject) => {
        const req = request(resource, {
          method: 'POST',
          headers: { ...opening.headers, 'content-length': Buffer.byteLength(opening.body) },
        })
        req.on('response', (res) => {
          res.resume()
          resolve({ status: res.statusCode ?? 0 })
        })
        req.on('error', reject)
        req.end(opening.body)
      })
      expect(rebinding.status).toBe(403)
    })
  })

  it('serves a client that offers only 2025-06-18 in that revision', async () => {
    const client = await connected(await token(), { supportedProtocolVersions: ['2025-06-18'] })
    expect(client.getProtocolEra()).toBe('legacy')
    expect(client.getNegotiatedProtocolVersion()).toBe('2025-06-18')
    const session = await begin(client)
    const booking = await call(client, 'domain_get_booking', { session, booking: 1 })
    expect(booking.data.booking).toMatchObject({ number: 1, booked_by: 'ada.park@example.com' })
    await client.close()
  })

  it("keeps /api behind the same bearer check, and publishes the server's own metadata", async () => {
    const rootMetadata = `${served.url}/.well-known/oauth-protected-resource`
    const metadata = await fetch(rootMetadata)
    expect(metadata.status).toBe(200)
    expect(await metadata.json()).toMatchObject({
      resource: served.url,
      authorization_servers: [served.issuer.url],
    })
    for (const path of ['/api/me', '/api/no-such-route']) {
      const anonymous = await fetch(`${served.url}${path}`)
      expect(anonymous.status, path).toBe(401)
      expect(anonymous.headers.get('www-authenticate')).toBe(
        `Bearer realm="digital-fte", resource_metadata="${rootMetadata}", scope="read write cancel staff"`,
      )
    }
    const bearer = (t: string) => ({ headers: { authorization: `Bearer ${t}` } })
    const me = await fetch(`${served.url}/api/me`, bearer(await token(ROSA.sub, 'staff')))
    expect(me.status).toBe(200)
    expect(await me.json()).toEqual({
      sub: ROSA.sub,
      role: 'staff',
      scopes: ['read', 'write', 'cancel', 'staff'],
      // Kept from the demo data's people: the name pages show.
      name: 'Rosa (staff)',
    })
    expect((await fetch(`${served.url}/api/no-such-route`, bearer(await token()))).status).toBe(404)
    const writeOnly = await served.token(ADA.sub, 'customer', ['write'])
    const refused = await fetch(`${served.url}/api/me`, bearer(writeOnly))
    expect(refused.status).toBe(403)
    expect(refused.headers.get('www-authenticate')).toContain('scope="read"')
    const inQuery = await fetch(`${served.url}/api/me?access_token=${await token()}`)
    expect(inQuery.status).toBe(401)
  })

  it("takes a token for the server's own resource on /api, never on /mcp (RFC 8707)", async () => {
    const apiToken = await served.apiToken()
    // Verified on /api first, so the verifier's cache holds it when /mcp asks.
    const me = await fetch(`${served.url}/api/me`, {
      headers: { authorization: `Bearer ${apiToken}` },
    })
    expect(me.status).toBe(200)
    const refused = await post({ authorization: `Bearer ${apiToken}` })
    expect(refused.status).toBe(401)
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"')
    expect(((await refused.json()) as { error_description: string }).error_description).toBe(
      `The access token is for another server; this one is ${resource}. Mint one for it with ` +
        '`npm run --silent fte -- auth token` run with the same PORT (or PUBLIC_URL) as the server, or --resource.',
    )
    // And a token for /mcp is taken on both.
    expect((await post({ authorization: `Bearer ${await token()}` })).status).toBe(200)
  })
})
