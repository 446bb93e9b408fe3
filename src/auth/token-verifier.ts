import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type JSONWebKeySet,
  type JWTPayload,
  jwtVerify,
} from 'jose'
import { CallerError, SystemError } from '../lib/errors.ts'
import { ExpiringCache } from '../lib/expiring-cache.ts'
import { type Identity, JOB_SUBJECT_PREFIX } from './identity.ts'

/**
 * Asymmetric algorithms only: a token "signed" with `none`, or with HMAC over a public key, never
 * verifies. Keys come from the issuer's key set alone; `jwk`, `jku` and `x5u` headers are ignored.
 */
export const ACCESS_TOKEN_ALGORITHMS = [
  'EdDSA',
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
]

/** How far a token's `exp` and `nbf` may be off the server's clock, in seconds. */
export const CLOCK_TOLERANCE_SECONDS = 30

export interface TokenVerifierOptions {
  /** The issuer tokens must name (`iss`). */
  issuer: string
  /**
   * What tokens must be for (`aud`): this server's canonical resource URLs (`/mcp`'s and the
   * server's own, for `/api`), any one of them; or AUTH_AUDIENCE.
   */
  audience: string | readonly string[]
  /**
   * The issuer's keys: its JWKS URL (fetched with a time limit, cached, and fetched again for an
   * unknown key id at most once per cooldown), or a key set at hand (the development issuer).
   */
  keys: { url: string; timeoutMs?: number; cooldownMs?: number } | { set: JSONWebKeySet }
}

/** The token proves nothing: the caller must get another (HTTP 401). */
export class TokenError extends CallerError {
  constructor(message: string) {
    super('token_invalid', message)
  }
}

/** The issuer's keys cannot be had right now, so no token can be verified (HTTP 503). */
export class KeysUnavailableError extends SystemError {
  constructor(cause: unknown) {
    super(
      'auth_unavailable',
      'The sign-in keys cannot be fetched right now, so no access token can be checked; try again shortly.',
      { cause },
    )
  }
}

/**
 * The identity a token proves. `only`: the audiences the calling route accepts, a subset of the
 * verifier's (`/mcp` takes only tokens for `/mcp`; `/api` takes both).
 */
export type TokenVerifier = (token: string, only?: readonly string[]) => Promise<Identity>

/** The identity an access token proves, checked against one issuer and this server's audiences. */
export function tokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const keys =
    'set' in options.keys
      ? createLocalJWKSet(options.keys.set)
      : createRemoteJWKSet(new URL(options.keys.url), {
          timeoutDuration: options.keys.timeoutMs ?? 5000,
          cooldownDuration: options.keys.cooldownMs ?? 30_000,
        })
  // Verified tokens, until they expire: a CPU profile put signature checks at 9 % of a call.
  const verified = new ExpiringCache<{ identity: Identity; audiences: string[] }>()
  return async (token, only) => {
    const { identity, audiences } = verified.get(token) ?? (await verify(token))
    if (only !== undefined && !audiences.some((a) => only.includes(a))) {
      throw new TokenError(anotherServer(only[0] ?? ''))
    }
    return identity
  }

  async function verify(token: string): Promise<{ identity: Identity; audiences: string[] }> {
    let payload: JWTPayload
    try {
      ;({ payload } = await jwtVerify(token, keys, {
        algorithms: ACCESS_TOKEN_ALGORITHMS,
        issuer: options.issuer,
        audience: [options.audience].flat(),
        requiredClaims: ['exp', 'sub'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      }))
    } catch (error) {
      throw describe(error, options.issuer, [options.audience].flat()[0] ?? '')
    }
    const checked = { identity: identityOf(payload), audiences: [payload.aud ?? []].flat() }
    // Kept no longer than the token lives (past that, jwtVerify decides within its tolerance).
    verified.set(token, checked, (payload.exp ?? 0) * 1000)
    return checked
  }
}

function anotherServer(audience: string): string {
  return (
    `The access token is for another server; this one is ${audience}. Mint one for it with ` +
    '`npm run --silent fte -- auth token` run with the same PORT (or PUBLIC_URL) as the server, or --resource.'
  )
}

/** Scopes from `scope` (space-separated, RFC 9068) or `scp` (an array, some issuers). */
function scopesOf(payload: JWTPayload): string[] {
  if (typeof payload.scope === 'string') return payload.scope.split(' ').filter(Boolean)
  if (Array.isArray(payload.scp))
    return payload.scp.filter((s): s is string => typeof s === 'string')
  return []
}

function identityOf(payload: JWTPayload): Identity {
  const sub = payload.sub ?? ''
  if (sub === '' || sub.length > 255 || sub.startsWith(JOB_SUBJECT_PREFIX))
    throw new TokenError('The access token has no usable subject.')
  const scopes = scopesOf(payload)
  // An email links a customer to their record only when the issuer vouches for it in so many
  // words: a missing flag, or `"true"` as a string, is no verification (OIDC Core 5.1).
  const email =
    typeof payload.email === 'string' && payload.email_verified === true
      ? payload.email.toLowerCase()
      : undefined
  const name =
    typeof payload.name === 'string' && payload.name.trim() !== ''
      ? payload.name.trim().slice(0, 200)
      : undefined
  return {
    sub,
    role: scopes.includes('staff') ? 'staff' : 'customer',
    scopes,
    ...(email === undefined ? {} : { email }),
    ...(name === undefined ? {} : { name }),
  }
}

function describe(error: unknown, issuer: string, audience: string): Error {
  if (error instanceof errors.JWKSTimeout) return new KeysUnavailableError(error)
  // A refused connection is a fetch TypeError, not a JOSE error: the keys are out of reach.
  if (!(error instanceof errors.JOSEError)) return new KeysUnavailableError(error)
  if (error instanceof errors.JWTExpired) return new TokenError('The access token has expired.')
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'aud') {
    return new TokenError(anotherServer(audience))
  }
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'iss') {
    return new TokenError(
      `The access token comes from another issuer; this server accepts tokens from ${issuer} only. ` +
        'A development token must be minted with the same PORT (or AUTH_DEV_PORT) as the server: ' +
        'run the command its start-up banner prints.',
    )
  }
  if (error instanceof errors.JOSEError && error.code === 'ERR_JOSE_GENERIC') {
    // A non-200 answer from the JWKS URL.
    return new KeysUnavailableError(error)
  }
  return new TokenError('The access token is not valid.')
}
