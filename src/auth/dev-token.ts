import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import {
  type CryptoKey,
  errors,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  jwtVerify,
  SignJWT,
} from 'jose'
import type { Identity } from '../gateway/identity.ts'
import { FteError } from '../lib/errors.ts'
import { ExpiringCache } from '../lib/expiring-cache.ts'

/**
 * Development access tokens, until a real issuer is configured: EdDSA-signed JWTs (`typ` at+jwt)
 * from a key pair kept in the data folder (mode 600), audience = this server's `/mcp` URL. Nothing
 * reaches the gateway over HTTP without one, so nothing is unauthenticated by accident.
 */
export const DEV_ISSUER = 'fte-dev-issuer'
const KEY_FILE = 'dev-issuer-key.json'

export interface DevIssuer {
  publicKey: CryptoKey
  privateKey: CryptoKey
}

/** The key pair in `dataDir`, created on first use. */
export async function devIssuer(dataDir: string): Promise<DevIssuer> {
  const path = `${dataDir}/${KEY_FILE}`
  let jwk: JWK
  try {
    jwk = JSON.parse(await readFile(path, 'utf8')) as JWK
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') throw error
    const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })
    jwk = await exportJWK(pair.privateKey)
    await mkdir(dirname(path), { recursive: true })
    await writeFile(path, `${JSON.stringify(jwk)}\n`, { mode: 0o600, flag: 'wx' }).catch(
      async (e: unknown) => {
        // Another process created it first: use theirs.
        if ((e as { code?: string }).code !== 'EEXIST') throw e
        jwk = JSON.parse(await readFile(path, 'utf8')) as JWK
      },
    )
    await chmod(path, 0o600)
  }
  const { d: _private, ...publicJwk } = jwk
  return {
    privateKey: (await importJWK(jwk, 'EdDSA')) as CryptoKey,
    publicKey: (await importJWK(publicJwk, 'EdDSA')) as CryptoKey,
  }
}

export interface DevTokenRequest {
  sub: string
  role: Identity['role']
  email?: string | undefined
  ttlSeconds: number
  /** The resource the token is for: this server's `/mcp` URL. */
  audience: string
}

export async function issueDevToken(issuer: DevIssuer, request: DevTokenRequest): Promise<string> {
  const scope = request.role === 'staff' ? 'read write staff' : 'read write'
  return new SignJWT({ scope, ...(request.email === undefined ? {} : { email: request.email }) })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt' })
    .setIssuer(DEV_ISSUER)
    .setAudience(request.audience)
    .setSubject(request.sub)
    .setIssuedAt()
    .setExpirationTime(`${request.ttlSeconds}s`)
    .setJti(crypto.randomUUID())
    .sign(issuer.privateKey)
}

export class TokenError extends FteError {
  constructor(message: string) {
    super('token_invalid', message, { fault: 'caller' })
  }
}

/** Tokens already verified, per key and audience, until they expire. */
const verified = new ExpiringCache<{ key: CryptoKey; audience: string; identity: Identity }>()

/** The identity a development token proves, or TokenError (never says more than "invalid"). */
export async function verifyDevToken(
  issuer: Pick<DevIssuer, 'publicKey'>,
  token: string,
  audience: string,
): Promise<Identity> {
  const known = verified.get(token)
  if (known !== undefined && known.key === issuer.publicKey && known.audience === audience) {
    return known.identity
  }
  try {
    const { payload } = await jwtVerify(token, issuer.publicKey, {
      algorithms: ['EdDSA'],
      typ: 'at+jwt',
      issuer: DEV_ISSUER,
      audience,
      requiredClaims: ['exp', 'sub'],
      clockTolerance: 60,
    })
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : []
    const sub = payload.sub ?? ''
    if (sub === '' || sub.length > 255)
      throw new TokenError('The access token has no usable subject.')
    const identity: Identity = {
      sub,
      role: scopes.includes('staff') ? 'staff' : 'customer',
      scopes,
      ...(typeof payload.email === 'string' ? { email: payload.email } : {}),
    }
    // Kept no longer than the token lives, less the clock tolerance jwtVerify allowed it.
    verified.set(token, { key: issuer.publicKey, audience, identity }, (payload.exp ?? 0) * 1000)
    return identity
  } catch (error) {
    if (error instanceof TokenError) throw error
    if (error instanceof errors.JWTExpired) throw new TokenError('The access token has expired.')
    if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'aud') {
      throw new TokenError(
        `The access token is for another server; this one is ${audience}. Mint one for it with ` +
          '`npm run fte -- token` run with the same PORT (or PUBLIC_URL) as the server, or --resource.',
      )
    }
    throw new TokenError('The access token is not valid.')
  }
}
