import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { scopesFor } from '../../../src/auth/scopes.ts'
import { type TokenVerifier, tokenVerifier } from '../../../src/auth/token-verifier.ts'
import type { Gateway } from '../../../src/gateway/gateway.ts'
import { describeEachEraAndDatabase } from '../../../test/support/each-era-and-database.ts'
import { begin, call, connect, testGateway } from '../../../test/support/gateway-client.ts'
import type { TestDatabase } from '../../../test/support/test-databases.ts'
import { supportPack } from '../index.ts'

const ISSUER = 'https://issuer.test'
const AUDIENCE = 'http://127.0.0.1:3000/mcp'
const EMAIL = 'unlinked.person@example.com'

describeEachEraAndDatabase('linking a sign-in to a customer record by email', (target, era) => {
  let db: TestDatabase
  let gateway: Gateway
  let verify: TokenVerifier
  let sign: (claims: Record<string, unknown>) => Promise<string>

  beforeEach(async () => {
    db = await target.open('support')
    await db.query(
      `INSERT INTO customers (email, name, tier) VALUES ($1, 'Unlinked Person', 'pro')`,
      [EMAIL],
    )
    gateway = await testGateway(db, { pack: supportPack })
    const { privateKey, publicKey } = await generateKeyPair('ES256')
    const publicJwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }
    verify = tokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: { set: { keys: [publicJwk] } },
    })
    sign = (claims) =>
      new SignJWT({ scope: scopesFor('customer').join(' '), ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject(String(claims.sub))
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(privateKey)
  })
  afterEach(() => db.close())

  /** Signs in with a token carrying `claims`, and asks for the caller's own customer record. */
  async function lookUpOwnRecord(claims: Record<string, unknown>) {
    const client = await connect(gateway, await verify(await sign(claims)), era)
    try {
      return await call(client, 'domain_lookup_customer', { session: await begin(client) })
    } finally {
      await client.close()
    }
  }

  const linkedSubject = async () =>
    (
      await db.query<{ auth_subject: string | null }>(
        'SELECT auth_subject FROM customers WHERE email = $1',
        [EMAIL],
      )
    ).rows[0]?.auth_subject

  it('links nothing to a token whose email the issuer did not say it verified', async () => {
    const unverified = [
      { sub: 'issuer|no-flag', email: EMAIL },
      { sub: 'issuer|string-flag', email: EMAIL, email_verified: 'true' },
      { sub: 'issuer|number-flag', email: EMAIL, email_verified: 1 },
    ]
    for (const claims of unverified) {
      const reply = await lookUpOwnRecord(claims)
      expect(reply.isError, claims.sub).toBe(true)
      expect(reply.text, claims.sub).toContain('No customer record linked to your sign-in')
      expect(reply.text, claims.sub).not.toContain('Unlinked Person')
      const { rows } = await db.query<{ error: string }>(
        `SELECT result->>'error' AS error FROM capability_invocations
         WHERE capability = 'mcp:domain_lookup_customer' AND actor = $1`,
        [`gateway:${claims.sub}`],
      )
      expect(rows, claims.sub).toEqual([{ error: 'not_found' }])
      expect(await linkedSubject(), claims.sub).toBeNull()
    }
  })

  it('links a token whose email the issuer verified, and answers with that record', async () => {
    const reply = await lookUpOwnRecord({
      sub: 'issuer|verified',
      email: EMAIL.toUpperCase(),
      email_verified: true,
    })
    expect(reply.isError).toBe(false)
    expect(reply.text).toContain('Unlinked Person')
    expect(await linkedSubject()).toBe('issuer|verified')
  })
})
