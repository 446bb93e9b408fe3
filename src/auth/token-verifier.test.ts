import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  base64url,
  type CryptoKey,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type JWK,
  SignJWT,
} from 'jose'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  KeysUnavailableError,
  TokenError,
  type TokenVerifier,
  tokenVerifier,
} from './token-verifier.ts'

const ISSUER = 'https://issuer.test'
const AUDIENCE = 'http://127.0.0.1:3000/mcp'

interface Key {
  kid: string
  privateKey: CryptoKey
  publicJwk: JWK
}

async function rsaKey(kid: string): Promise<Key & { spki: string }> {
  const pair = await generateKeyPair('RS256', { extractable: true })
  return {
    kid,
    privateKey: pair.privateKey,
    publicJwk: { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' },
    spki: await exportSPKI(pair.publicKey),
  }
}

/** The issuer's JWKS endpoint: serves whatever keys the test puts in it, and counts fetches. */
class JwksServer {
  keys: JWK[] = []
  fetches = 0
  #server: Server = createServer((_req, res) => {
    this.fetches++
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ keys: this.keys }))
  })
  url = ''
  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/jwks`
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()))
  }
}

function sign(
  key: Pick<Key, 'kid' | 'privateKey'>,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'demo|maya-okafor',
    scope: 'read write',
    iat: now,
    exp: now + 600,
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'at+jwt', ...header })
    .sign(key.privateKey)
}

/** A JWT assembled by hand: header and payload as given, any signature. */
function handmade(header: object, payload: object, signature = ''): string {
  const part = (o: object) => base64url.encode(JSON.stringify(o))
  return `${part(header)}.${part(payload)}.${signature}`
}

describe('access token verification', () => {
  let jwks: JwksServer
  let key: Awaited<ReturnType<typeof rsaKey>>
  let verify: TokenVerifier
  beforeEach(async () => {
    jwks = new JwksServer()
    await jwks.start()
    key = await rsaKey('key-1')
    jwks.keys = [key.publicJwk]
    verify = tokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: { url: jwks.url } })
  })
  afterEach(() => jwks.close())

  const refused = async (token: string, message = /not valid/) => {
    await expect(verify(token)).rejects.toThrow(TokenError)
    await expect(verify(token)).rejects.toThrow(message)
  }

  it('accepts a token from the issuer for this audience, as its subject, scopes and email', async () => {
    const identity = await verify(
      await sign(key, {
        scope: 'read write staff',
        email: 'Sam@Example.com',
        email_verified: true,
      }),
    )
    expect(identity).toEqual({
      sub: 'demo|maya-okafor',
      role: 'staff',
      scopes: ['read', 'write', 'staff'],
      email: 'sam@example.com',
    })
    // An email the issuer does not vouch for, in so many words, links nothing.
    for (const flag of [{ email_verified: false }, {}, { email_verified: 'true' }]) {
      const unverified = await verify(await sign(key, { email: 'x@example.com', ...flag }))
      expect(unverified.email, JSON.stringify(flag)).toBeUndefined()
      expect(unverified.role).toBe('customer')
    }
    // `scp` arrays (some issuers) count too.
    expect((await verify(await sign(key, { scope: undefined, scp: ['read'] }))).scopes).toEqual([
      'read',
    ])
  })

  it('refuses another audience or another issuer, even with a good signature', async () => {
    await refused(await sign(key, { aud: 'http://elsewhere.example/mcp' }), /for another server/)
    await refused(
      await sign(key, { iss: 'https://other-issuer.test' }),
      /comes from another issuer; this server accepts tokens from https:\/\/issuer\.test only/,
    )
  })

  it('refuses alg none, HMAC keyed with the public key, and keys offered in the header', async () => {
    const claims = {
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'x',
      exp: Math.floor(Date.now() / 1000) + 600,
    }
    await refused(handmade({ alg: 'none', typ: 'JWT' }, claims))
    // The classic confusion: HS256 "signed" with the RSA public key as the HMAC secret.
    const hmac = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: key.kid })
      .sign(new TextEncoder().encode(key.spki))
    await refused(hmac)
    // Signed with the attacker's key, which rides along in the header: never used.
    const attacker = await rsaKey('key-1')
    await refused(await sign(attacker, {}, { jwk: attacker.publicJwk }))
    const elsewhere = new JwksServer()
    await elsewhere.start()
    try {
      elsewhere.keys = [attacker.publicJwk]
      await refused(await sign(attacker, {}, { jku: elsewhere.url, x5u: elsewhere.url }))
      expect(elsewhere.fetches).toBe(0)
    } finally {
      await elsewhere.close()
    }
  })

  it('refuses missing exp or sub, expiry beyond the tolerance, a future nbf, and garbage', async () => {
    const now = Math.floor(Date.now() / 1000)
    await refused(await sign(key, { exp: undefined }))
    await refused(await sign(key, { sub: undefined }))
    await refused(await sign(key, { exp: now - 120 }), /expired/)
    await refused(await sign(key, { nbf: now + 120 }))
    await refused('garbage')
    await refused('a.b.c')
    // Within the tolerance, a slightly late clock is forgiven.
    expect((await verify(await sign(key, { exp: now - 5 }))).sub).toBe('demo|maya-okafor')
  })

  it('refuses a subject in the namespace of the jobs the server runs itself', async () => {
    await refused(await sign(key, { sub: 'job|7d1c2a58-0000-4000-8000-000000000000' }), /subject/)
  })

  it('treats a kid as a name to match, never a path or a query', async () => {
    for (const kid of ['../../../../etc/passwd', "key-1' OR '1'='1", 'file:///etc/passwd']) {
      await refused(await sign({ kid, privateKey: key.privateKey }))
    }
  })

  it('fetches the keys at most once for a burst of unknown key ids', async () => {
    const stranger = await rsaKey('stranger')
    const tokens = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        sign({ ...stranger, kid: `random-${i}-${Math.random()}` }),
      ),
    )
    const results = await Promise.allSettled(tokens.map((t) => verify(t)))
    expect(results.every((r) => r.status === 'rejected')).toBe(true)
    expect(jwks.fetches).toBe(1)
  })

  it('accepts a rotated key without a restart', async () => {
    verify = tokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: { url: jwks.url, cooldownMs: 100 },
    })
    expect((await verify(await sign(key))).sub).toBe('demo|maya-okafor')
    const next = await rsaKey('key-2')
    jwks.keys = [key.publicJwk, next.publicJwk]
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect((await verify(await sign(next))).sub).toBe('demo|maya-okafor')
    expect(jwks.fetches).toBe(2)
  })

  it('refuses every token while the keys cannot be fetched, saying so', async () => {
    await jwks.close()
    const token = await sign(key)
    await expect(verify(token)).rejects.toThrow(KeysUnavailableError)
    const silent = createServer(() => {}) // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    try {
      const slow = tokenVerifier({
        issuer: ISSUER,
        audience: AUDIENCE,
        keys: {
          url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/jwks`,
          timeoutMs: 200,
        },
      })
      await expect(slow(token)).rejects.toThrow(KeysUnavailableError)
    } finally {
      silent.closeAllConnections()
      silent.close()
    }
    jwks = new JwksServer() // for afterEach
    await jwks.start()
  })
})
