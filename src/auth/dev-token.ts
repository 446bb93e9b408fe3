import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  SignJWT,
} from 'jose'
import type { Identity } from './identity.ts'
import { type TokenVerifier, tokenVerifier } from './token-verifier.ts'

/**
 * The development issuer, while no real one is configured: an EdDSA key pair kept in the data
 * folder (mode 600). The development authorization server signs its access tokens with it, and
 * `fte auth token` mints the same tokens directly (`typ` at+jwt, audience = this server's `/mcp` URL).
 * Nothing reaches the gateway over HTTP without one, so nothing is unauthenticated by accident.
 */
const KEY_FILE = 'dev-issuer-key.json'

/** Where the development authorization server keeps the clients registered with it. */
export function devClientsFile(dataDir: string): string {
  return `${dataDir}/dev-auth-clients.json`
}

export interface DevKey {
  /** With `kid` (its thumbprint), `alg` and `use`. */
  publicJwk: JWK
  /** The same with its private part: the development authorization server signs with it. */
  privateJwk: JWK
  privateKey: CryptoKey
}

export interface DevIssuer extends DevKey {
  /** The issuer URL its tokens name: the development authorization server's. */
  url: string
}

/** The development issuer at `url`, with the key of `dataDir`. */
export async function devIssuer(dataDir: string, url: string): Promise<DevIssuer> {
  return { ...(await devKey(dataDir)), url }
}

/** The key pair in `dataDir`, created on first use. */
export async function devKey(dataDir: string): Promise<DevKey> {
  const path = `${dataDir}/${KEY_FILE}`
  let jwk: JWK
  try {
    jwk = JSON.parse(await readFile(path, 'utf8')) as JWK
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') throw error
    const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })
    jwk = await exportJWK(pair.privateKey)
    // The data folder, when the issuer comes first: as private as the database makes it.
    await mkdir(dirname(path), { recursive: true, mode: 0o700 })
    await writeFile(path, `${JSON.stringify(jwk)}\n`, { mode: 0o600, flag: 'wx' }).catch(
      async (e: unknown) => {
        // Another process created it first: use theirs.
        if ((e as { code?: string }).code !== 'EEXIST') throw e
        jwk = JSON.parse(await readFile(path, 'utf8')) as JWK
      },
    )
    await chmod(path, 0o600)
  }
  const { d: _private, ...publicPart } = jwk
  const named = { kid: await calculateJwkThumbprint(publicPart), alg: 'EdDSA', use: 'sig' }
  return {
    privateKey: (await importJWK(jwk, 'EdDSA')) as CryptoKey,
    publicJwk: { ...publicPart, ...named },
    privateJwk: { ...jwk, ...named },
  }
}

export interface DevTokenRequest {
  sub: string
  role: Identity['role']
  email?: string | undefined
  ttlSeconds: number
  /** The resource the token is for: this server's `/mcp` URL. */
  audience: string
  /** What it lets its bearer do: the server's scopes the role may have, or fewer. */
  scopes: readonly string[]
}

export async function issueDevToken(issuer: DevIssuer, request: DevTokenRequest): Promise<string> {
  const scope = request.scopes.join(' ')
  return new SignJWT({
    scope,
    ...(request.email === undefined ? {} : { email: request.email, email_verified: true }),
  })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: String(issuer.publicJwk.kid) })
    .setIssuer(issuer.url)
    .setAudience(request.audience)
    .setSubject(request.sub)
    .setIssuedAt()
    .setExpirationTime(`${request.ttlSeconds}s`)
    .setJti(crypto.randomUUID())
    .sign(issuer.privateKey)
}

/** Checks this server's development tokens: the development issuer, its key, this audience. */
export function devTokenVerifier(
  issuer: DevIssuer,
  audience: string | readonly string[],
): TokenVerifier {
  return tokenVerifier({
    issuer: issuer.url,
    audience,
    keys: { set: { keys: [issuer.publicJwk] } },
  })
}
