import { readFile } from 'node:fs/promises'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { DevIssuerFixture, ELSEWHERE, LOOPBACK, PKCE } from '../../test/support/dev-issuer.ts'
import {
  clientDocument,
  type DocumentAnswer,
  DocumentHost,
  trustLoopbackCertificate,
} from '../../test/support/metadata-documents.ts'

/** In every document refused below: an answer must never repeat what a document says. */
const PRIVATE = 'only-on-this-machine'

describe('clients named by their metadata document at the development authorization server', () => {
  let f: DevIssuerFixture
  let hosts: DocumentHost[]
  beforeAll(() => trustLoopbackCertificate())
  beforeEach(async () => {
    f = await DevIssuerFixture.create()
    hosts = []
  })
  afterEach(async () => {
    await Promise.all(hosts.map((h) => h.close()))
    await f.close()
  })

  const serve = async (
    answer: (url: string) => DocumentAnswer,
    scheme: 'http' | 'https' = 'http',
  ) => {
    const host = await DocumentHost.start(answer, scheme)
    hosts.push(host)
    return host
  }
  /** The issuer's answer to a sign-in by `clientId`, once redirects on the issuer are followed. */
  const signIn = (clientId: string, redirect = LOOPBACK) =>
    f.visit(f.authorizeUrl(clientId, redirect, PKCE))
  const refusal = async (clientId: string, redirect = LOOPBACK) => {
    const response = await signIn(clientId, redirect)
    const text = await response.text()
    expect(text, clientId).not.toContain(PRIVATE)
    return { status: response.status, body: JSON.parse(text) as Record<string, unknown> }
  }

  it('advertises metadata documents and iss in its discovery metadata, and still registers', async () => {
    await f.start()
    const metadata = await fetch(`${f.issuer}/.well-known/oauth-authorization-server`)
    expect(await metadata.json()).toMatchObject({
      client_id_metadata_document_supported: true,
      authorization_response_iss_parameter_supported: true,
      registration_endpoint: `${f.issuer}/reg`,
    })
    expect(await f.clientId(LOOPBACK)).not.toMatch(/^https?:/)
  })

  it('signs in a client by its loopback document without registering it, reading it once', async () => {
    await f.start({ autoSignIn: () => 'demo|maya' })
    const host = await serve((url) => ({ body: clientDocument(url) }))
    for (const url of [host.url('/client.json'), host.url('/client.json')]) {
      const answer = await signIn(url)
      expect(answer.status).toBe(303)
      const callback = new URL(answer.headers.get('location') ?? '')
      expect(callback.searchParams.get('code')).toBeTruthy()
      expect(callback.searchParams.get('iss')).toBe(f.issuer)
    }
    expect(host.hits.get('/client.json')).toBe(1)
    await expect(readFile(f.clientsFile, 'utf8')).rejects.toThrow(/ENOENT/)
  })

  it("names the document's host on the sign-in page, warns when it answers on loopback only, and names where it leaves for", async () => {
    await f.start()
    const host = await serve((url) =>
      url.endsWith('/web.json')
        ? { body: clientDocument(url, { client_name: 'Far Away', redirect_uris: [ELSEWHERE] }) }
        : { body: clientDocument(url, { client_name: 'Near By' }) },
    )
    const at = `<strong>127.0.0.1:${host.port}</strong>`
    const near = await (await signIn(host.url('/native.json'))).text()
    expect(near).toContain(`<strong>Near By</strong> (named by its metadata document at ${at})`)
    expect(near).toContain('Afterwards your browser goes to <strong>127.0.0.1:53682</strong>')
    expect(near).toContain('any program here could pose as <strong>Near By</strong>')
    const far = await (await signIn(host.url('/web.json'), ELSEWHERE)).text()
    expect(far).toContain(`<strong>Far Away</strong> (named by its metadata document at ${at})`)
    expect(far).toContain('Afterwards your browser goes to <strong>elsewhere.example</strong>')
    expect(far).not.toContain('any program here could pose')
    // Signed in, it leaves for the other host through a page naming both.
    await f.start({ autoSignIn: () => 'demo|maya' })
    const leaving = await signIn(host.url('/web.json'), ELSEWHERE)
    expect(leaving.status).toBe(200)
    expect(await leaving.text()).toContain(
      `<strong>Far Away</strong>, an application named by its metadata document at ${at}, sends you on to <strong>elsewhere.example</strong>`,
    )
  })

  it('refuses a document that is not its own, too large, redirected, not 200 or not an object, without repeating it', async () => {
    await f.start()
    const doc = (url: string, extra: Record<string, unknown> = {}) =>
      clientDocument(url, { note: PRIVATE, ...extra })
    const padding = 'x'.repeat(5 * 1024) // over 5 KiB with the rest
    const answers: Record<string, (url: string) => DocumentAnswer> = {
      '/other.json': () => ({ body: doc('http://127.0.0.1:1/other.json') }),
      '/declared.json': (url) => ({ body: doc(url, { padding }) }),
      '/streamed.json': (url) => ({
        headers: { 'transfer-encoding': 'chunked' },
        body: doc(url, { padding }),
      }),
      '/moved.json': () => ({ status: 302, headers: { location: '/client.json' } }),
      '/missing.json': (url) => ({ status: 404, body: doc(url) }),
      '/list.json': (url) => ({ body: [doc(url)] }),
      '/secret.json': (url) => ({ body: doc(url, { client_secret: PRIVATE }) }),
    }
    const host = await serve((url) => {
      const answer = answers[new URL(url).pathname]
      return answer === undefined ? { body: clientDocument(url) } : answer(url)
    })
    const expected: Record<string, [string, string]> = {
      '/other.json': ['invalid_client_metadata', 'client_id does not match the expected value'],
      '/declared.json': ['invalid_client', 'client_id metadata document fetch failed'],
      '/streamed.json': ['invalid_client', 'client_id metadata document fetch failed'],
      '/moved.json': ['invalid_client', 'client_id metadata document fetch failed'],
      '/missing.json': ['invalid_client', 'client_id metadata document fetch failed'],
      '/list.json': ['invalid_client_metadata', 'is not a JSON object'],
      '/secret.json': ['invalid_client_metadata', 'must describe a public client'],
    }
    for (const [path, [error, description]] of Object.entries(expected)) {
      expect(await refusal(host.url(path)), path).toMatchObject({
        status: 400,
        body: { error, error_description: expect.stringContaining(description) },
      })
    }
    // The redirect was not followed.
    expect(host.hits.get('/client.json')).toBeUndefined()
  })

  it('refuses documents off loopback: a loopback address spelled another way, over https or http', async () => {
    await f.start({ autoSignIn: () => 'demo|maya' })
    const https = await serve((url) => ({ body: clientDocument(url) }), 'https')
    const http = await serve((url) => ({ body: clientDocument(url) }))
    // By its loopback name, the https document is read (oidc-provider's own path) and signs in.
    const direct = await signIn(https.url('/client.json'))
    expect(direct.headers.get('location')).toMatch(/[?&]code=/)
    // The same servers as [::ffff:127.0.0.1]: this test reaches them, the issuer may not.
    const disguised = (host: DocumentHost, scheme: string) =>
      `${scheme}://[::ffff:127.0.0.1]:${host.port}/disguised.json`
    for (const host of [https, http]) {
      expect((await fetch(disguised(host, host === https ? 'https' : 'http'))).status).toBe(200)
    }
    const beforeHttps = https.connections
    expect(await refusal(disguised(https, 'https'))).toMatchObject({
      status: 400,
      body: { error: 'invalid_client', error_description: expect.stringContaining('fetch failed') },
    })
    // Connected, found to be a special-use address, and dropped before asking for anything.
    expect(https.connections).toBeGreaterThan(beforeHttps)
    expect(https.hits.get('/disguised.json')).toBe(1)
    const beforeHttp = http.connections
    expect(await refusal(disguised(http, 'http'))).toMatchObject({
      status: 400,
      body: { error: 'invalid_client' },
    })
    expect(http.connections).toBe(beforeHttp)
  })

  it("holds a document's client to what a client not configured here may be", async () => {
    await f.start()
    const extras: Record<string, Record<string, unknown>> = {
      '/clear.json': { redirect_uris: ['http://elsewhere.example/callback'] },
      '/nameless.json': { client_name: undefined },
      '/script.json': { grant_types: ['authorization_code', 'client_credentials'] },
      '/ours.json': { client_name: 'Digital FTE' },
    }
    const host = await serve((url) => ({
      body: clientDocument(url, extras[new URL(url).pathname] ?? {}),
    }))
    // A redirect URI refused is `invalid_redirect_uri` (RFC 7591), the rest invalid metadata.
    const expected: Record<string, [string, string, string]> = {
      '/clear.json': [
        'http://elsewhere.example/callback',
        'invalid_redirect_uri',
        'redirect_uris must be https',
      ],
      '/nameless.json': [LOOPBACK, 'invalid_client_metadata', 'must give a client_name'],
      '/script.json': [LOOPBACK, 'invalid_client_metadata', 'not client_credentials'],
      '/ours.json': [LOOPBACK, 'invalid_client_metadata', 'is reserved'],
    }
    for (const [path, [redirect, error, description]] of Object.entries(expected)) {
      expect(await refusal(host.url(path), redirect), path).toMatchObject({
        status: 400,
        body: { error, error_description: expect.stringContaining(description) },
      })
    }
  })

  it('gives up on a document slower than its time limit, over http and https', async () => {
    await f.start({ autoSignIn: () => 'demo|maya', metadataDocuments: { timeoutMs: 300 } })
    const answer = (url: string): DocumentAnswer => ({
      body: clientDocument(url),
      delayMs: url.endsWith('/slow.json') ? 2000 : 0,
    })
    for (const host of [await serve(answer), await serve(answer, 'https')]) {
      expect((await signIn(host.url('/quick.json'))).headers.get('location')).toMatch(/[?&]code=/)
      const started = Date.now()
      expect(await refusal(host.url('/slow.json'))).toMatchObject({
        status: 400,
        body: {
          error: 'invalid_client',
          error_description: expect.stringContaining('fetch failed'),
        },
      })
      expect(Date.now() - started).toBeLessThan(1500)
    }
  })

  it('fetches no more documents a minute than its budget, while those it has keep working', async () => {
    await f.start({ autoSignIn: () => 'demo|maya', metadataDocuments: { perMinute: 2 } })
    const host = await serve((url) =>
      url.endsWith('/broken.json') ? { status: 500 } : { body: clientDocument(url) },
    )
    expect((await signIn(host.url('/client.json'))).headers.get('location')).toMatch(/[?&]code=/)
    // A failure is not kept: asking again fetches again, and spends the budget.
    expect(await refusal(host.url('/broken.json'))).toMatchObject({ status: 400 })
    expect(await refusal(host.url('/broken.json'))).toMatchObject({
      status: 400,
      body: { error: 'invalid_client', error_description: expect.stringContaining('not allowed') },
    })
    expect(host.hits.get('/broken.json')).toBe(1)
    expect((await signIn(host.url('/client.json'))).headers.get('location')).toMatch(/[?&]code=/)
    expect(host.hits.get('/client.json')).toBe(1)
  })
})
