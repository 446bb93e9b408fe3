import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DevIssuerFixture, LOOPBACK, PKCE, RESOURCE } from '../../test/support/dev-issuer.ts'

describe('clients that register themselves with the development authorization server', () => {
  let f: DevIssuerFixture
  beforeEach(async () => {
    f = await DevIssuerFixture.create()
  })
  afterEach(() => f.close())

  it("refuses a self-registered client the web UI's name, or client credentials", async () => {
    await f.start({ webClient: { clientId: 'fte-web', redirectUris: [LOOPBACK] } })
    for (const name of ['the digital-fte web UI', 'Digital FTE (official)', 'DIGITAL_fte']) {
      const response = await f.register({ redirect_uris: [LOOPBACK], client_name: name })
      expect(response.status, name).toBe(400)
      expect(await response.json()).toMatchObject({
        error: 'invalid_client_metadata',
        error_description: expect.stringContaining('reserved'),
      })
    }
    const credentials = await f.register({
      grant_types: ['authorization_code', 'client_credentials'],
      redirect_uris: [LOOPBACK],
      token_endpoint_auth_method: 'client_secret_basic',
    })
    expect(credentials.status).toBe(400)
    expect(await credentials.json()).toMatchObject({
      error: 'invalid_client_metadata',
      error_description: expect.stringContaining('client_credentials'),
    })
    // Nothing of them was kept.
    await expect(readFile(f.clientsFile, 'utf8')).rejects.toThrow(/ENOENT/)
    // Nor is the web UI's id to be had: the server picks every registered client's id.
    const squatter = await f.register({ client_id: 'fte-web', redirect_uris: [LOOPBACK] })
    expect(squatter.status).toBe(201)
    expect(((await squatter.json()) as { client_id: string }).client_id).not.toBe('fte-web')
  })

  it('refuses redirects in the clear to another machine, and takes https, loopback and app schemes', async () => {
    await f.start()
    for (const key of ['redirect_uris', 'post_logout_redirect_uris']) {
      const clear = await f.register({
        redirect_uris: [LOOPBACK],
        [key]: ['http://app.example/callback'],
      })
      expect(clear.status, key).toBe(400)
      expect(await clear.json()).toMatchObject({
        error_description: expect.stringContaining(`${key} must be https`),
      })
    }
    const native = await f.register({
      application_type: 'native',
      redirect_uris: ['http://localhost:6274/callback', 'http://[::1]:1/cb', 'cursor://auth/cb'],
    })
    expect(native.status).toBe(201)
    expect((await f.register({ redirect_uris: ['https://app.example/callback'] })).status).toBe(201)
  })

  it('issues no client credentials to a stored self-registered client that asks for them', async () => {
    // As a server before this check would have stored it.
    await writeFile(
      f.clientsFile,
      `${JSON.stringify({
        'old-script': {
          client_id: 'old-script',
          client_secret: 'a-secret-of-its-own',
          grant_types: ['client_credentials'],
          redirect_uris: [],
          response_types: [],
        },
      })}\n`,
    )
    await f.start()
    const response = await fetch(`${f.issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('old-script:a-secret-of-its-own').toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource: RESOURCE }),
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({
      error: 'invalid_client_metadata',
      error_description: expect.stringContaining('not client_credentials'),
    })
  })

  it('caps registrations in number, across a restart, in the registration error format', async () => {
    await f.start({ registration: { maxClients: 2, perMinute: 100 } })
    await f.clientId(LOOPBACK)
    await f.clientId(LOOPBACK)
    const refused = async () => {
      const response = await f.register({ redirect_uris: [LOOPBACK] })
      expect(response.status).toBe(403)
      expect(await response.json()).toEqual({
        error: 'access_denied',
        error_description: expect.stringContaining('already has 2 registered clients, its limit'),
      })
    }
    await refused()
    await f.start({ registration: { maxClients: 2, perMinute: 100 } })
    await refused()
  })

  it('caps registrations a minute, saying how long to wait', async () => {
    await f.start({ registration: { maxClients: 100, perMinute: 3 } })
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => f.register({ redirect_uris: [LOOPBACK] })),
    )
    expect(answers.map((r) => r.status).sort()).toEqual([201, 201, 201, 429, 429])
    const limited = answers.find((r) => r.status === 429)
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await limited?.json()).toEqual({
      error: 'temporarily_unavailable',
      error_description: expect.stringContaining('at most 3 a minute'),
    })
  })

  it('appends each registration to the clients file, leaving what is there as it was', async () => {
    await f.start()
    const first = await f.clientId(LOOPBACK, 'first')
    const before = await readFile(f.clientsFile, 'utf8')
    const second = await f.clientId(LOOPBACK, 'second')
    const after = await readFile(f.clientsFile, 'utf8')
    expect(after.startsWith(before)).toBe(true)
    const lines = after.trim().split('\n')
    expect(lines.map((l) => (JSON.parse(l) as { client_id: string }).client_id)).toEqual([
      first,
      second,
    ])
    expect((await stat(f.clientsFile)).mode & 0o777).toBe(0o600)
    expect((await stat(join(f.dir, 'data'))).mode & 0o777).toBe(0o700)
    // A line cut short by a crash costs that line only.
    await writeFile(f.clientsFile, `${after}{"client_id":"torn`)
    await f.start({ autoSignIn: () => 'demo|maya' })
    const third = await f.clientId(LOOPBACK, 'third')
    await f.start({ autoSignIn: () => 'demo|maya' })
    for (const client of [first, second, third]) {
      const answer = await f.visit(f.authorizeUrl(client, LOOPBACK, PKCE))
      expect(answer.headers.get('location'), client).toMatch(/[?&]code=/)
    }
  })
})
