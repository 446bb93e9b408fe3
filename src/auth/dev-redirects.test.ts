import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DevIssuerFixture, ELSEWHERE, LOOPBACK, PKCE } from '../../test/support/dev-issuer.ts'

describe('where the development authorization server sends the browser', () => {
  let f: DevIssuerFixture
  beforeEach(async () => {
    f = await DevIssuerFixture.create()
  })
  afterEach(() => f.close())

  it('sends the browser to another host for a self-registered client only through a page naming it', async () => {
    await f.start({ autoSignIn: () => 'demo|maya' })
    const client = await f.clientId(ELSEWHERE)
    // An error answer (no PKCE) and a successful sign-in: both would have left at once.
    for (const url of [
      f.authorizeUrl(client, ELSEWHERE),
      f.authorizeUrl(client, ELSEWHERE, PKCE),
    ]) {
      const response = await f.visit(url)
      expect(response.status, url).toBe(200)
      expect(response.headers.get('location')).toBeNull()
      const page = await response.text()
      expect(page).toContain('sends you on to <strong>elsewhere.example</strong>')
      const link = /<a href="([^"]+)">Continue to elsewhere.example<\/a>/.exec(page)?.[1] ?? ''
      expect(new URL(link.replaceAll('&amp;', '&')).origin).toBe('https://elsewhere.example')
    }
    // A form posted on its own would leave with no page in between: refused.
    const posted = await f.visit(
      f.authorizeUrl(client, ELSEWHERE, { ...PKCE, response_mode: 'form_post' }),
    )
    expect(posted.status).toBe(400)
    const refusal = await posted.text()
    expect(refusal).toContain('to elsewhere.example by redirect only')
    expect(refusal).not.toContain('<form')
  })

  it("names the other host before a self-registered client's sign-out sends the browser there", async () => {
    await f.start()
    const registered = await f.register({
      redirect_uris: [ELSEWHERE],
      post_logout_redirect_uris: [ELSEWHERE],
    })
    const { client_id: client } = (await registered.json()) as { client_id: string }
    const end = await fetch(
      `${f.issuer}/session/end?${new URLSearchParams({ client_id: client, post_logout_redirect_uri: ELSEWHERE })}`,
    )
    // oidc-provider's own confirmation form (submitted by script in a browser), submitted here.
    const form = await end.text()
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(form)?.[1] ?? ''
    const confirmed = await fetch(`${f.issuer}/session/end/confirm`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: end.headers
          .getSetCookie()
          .map((c) => c.split(';')[0])
          .join('; '),
      },
      body: new URLSearchParams({ xsrf, logout: 'yes' }),
    })
    expect(confirmed.status).toBe(200)
    expect(confirmed.headers.get('location')).toBeNull()
    expect(await confirmed.text()).toContain('sends you on to <strong>elsewhere.example</strong>')
  })

  it('redirects at once to loopback, and for the web UI configured on the server', async () => {
    await f.start({
      webClient: { clientId: 'fte-web', redirectUris: ['https://app.example/'] },
    })
    const loopback = await f.visit(f.authorizeUrl(await f.clientId(LOOPBACK), LOOPBACK))
    expect(loopback.status).toBe(303)
    expect(loopback.headers.get('location')).toMatch(/^http:\/\/127\.0\.0\.1:53682\/callback\?/)
    const web = await f.visit(f.authorizeUrl('fte-web', 'https://app.example/'))
    expect(web.status).toBe(303)
    expect(web.headers.get('location')).toMatch(/^https:\/\/app\.example\/\?error=/)
  })

  it('names itself (iss, RFC 9207) in every authorization answer, an error as much as a code', async () => {
    await f.start({ autoSignIn: () => 'demo|maya' })
    const client = await f.clientId(LOOPBACK)
    const answers = {
      code: await f.visit(f.authorizeUrl(client, LOOPBACK, PKCE)),
      // No PKCE: refused, and the refusal goes back to the client (its redirect URI is known).
      error: await f.visit(f.authorizeUrl(client, LOOPBACK)),
    }
    for (const [kind, answer] of Object.entries(answers)) {
      const query = new URL(answer.headers.get('location') ?? '').searchParams
      expect(query.has(kind), kind).toBe(true)
      expect(query.get('iss'), kind).toBe(f.issuer)
    }
  })

  it('names a self-registered client as such on the sign-in page, and where the browser goes next', async () => {
    await f.start()
    const client = await f.clientId(ELSEWHERE, 'Helpful Assistant')
    const page = await (await f.visit(f.authorizeUrl(client, ELSEWHERE, PKCE))).text()
    expect(page).toContain(
      '<strong>Helpful Assistant</strong> (a name an application gave itself when it registered here)',
    )
    expect(page).toContain('Afterwards your browser goes to <strong>elsewhere.example</strong>')
  })
})
