import { randomBytes } from 'node:crypto'
import { errors, jwtVerify, SignJWT } from 'jose'
import { CallerError } from '../lib/errors.ts'
import { ExpiringCache } from '../lib/expiring-cache.ts'
import type { SessionClaims } from '../pack/tool-definition.ts'

/**
 * Session handles are JWTs of their own type: header `typ` fte-session+jwt, audience
 * fte:mcp-session, HMAC-signed with the gateway's session key, and carried with an `fses_` prefix.
 * An access token fails every one of those checks, and a handle fails an access token's, so
 * neither can stand in for the other.
 */
const PREFIX = 'fses_'
const TYP = 'fte-session+jwt'
const AUDIENCE = 'fte:mcp-session'
const ISSUER = 'fte-gateway'

export class SessionError extends CallerError {
  constructor(message: string) {
    super(
      'session_invalid',
      `${message} Call begin_session first, then pass the session handle it returns.`,
    )
  }
}

export async function issueSessionHandle(
  key: Uint8Array,
  claims: { sub: string; conversationId: string; ttlSeconds: number },
): Promise<{ handle: string; claims: SessionClaims }> {
  const sessionId = randomBytes(16).toString('base64url')
  const expiresAt = new Date(Date.now() + claims.ttlSeconds * 1000)
  const jwt = await new SignJWT({ cid: claims.conversationId })
    .setProtectedHeader({ alg: 'HS256', typ: TYP })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(claims.sub)
    .setJti(sessionId)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(key)
  return {
    handle: `${PREFIX}${jwt}`,
    claims: { sessionId, sub: claims.sub, conversationId: claims.conversationId, expiresAt },
  }
}

/**
 * A gateway's session handles: issued and verified with its key, and the handles it has verified
 * remembered until they expire (a session makes many calls with one handle). One per gateway.
 */
export class SessionHandles {
  private readonly verified = new ExpiringCache<SessionClaims>()

  private readonly key: Uint8Array

  constructor(key: Uint8Array) {
    this.key = key
  }

  issue(claims: { sub: string; conversationId: string; ttlSeconds: number }) {
    return issueSessionHandle(this.key, claims)
  }

  /** The handle's claims, when it is genuine, unexpired and the caller's own; SessionError if not. */
  async verify(handle: string | undefined, sub: string): Promise<SessionClaims> {
    if (handle === undefined || handle === '') {
      throw new SessionError('No session handle was given.')
    }
    if (!handle.startsWith(PREFIX)) {
      throw new SessionError('That is not a session handle (an access token is not one).')
    }
    const known = this.verified.get(handle)
    if (known !== undefined) {
      if (known.sub !== sub) throw new SessionError('The session handle belongs to someone else.')
      return known
    }
    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload']
    try {
      ;({ payload } = await jwtVerify(handle.slice(PREFIX.length), this.key, {
        algorithms: ['HS256'],
        typ: TYP,
        audience: AUDIENCE,
        issuer: ISSUER,
        requiredClaims: ['exp', 'sub', 'jti'],
        clockTolerance: 30,
      }))
    } catch (error) {
      throw new SessionError(
        error instanceof errors.JWTExpired
          ? 'The session has expired.'
          : 'The session handle is not valid.',
      )
    }
    if (payload.sub !== sub) throw new SessionError('The session handle belongs to someone else.')
    const conversationId = payload.cid
    if (
      typeof conversationId !== 'string' ||
      payload.jti === undefined ||
      payload.exp === undefined
    ) {
      throw new SessionError('The session handle is not valid.')
    }
    const claims = {
      sessionId: payload.jti,
      sub,
      conversationId,
      expiresAt: new Date(payload.exp * 1000),
    }
    this.verified.set(handle, claims, claims.expiresAt.getTime())
    return claims
  }
}
