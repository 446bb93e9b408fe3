import { errorMessage, FteError } from '../lib/errors.ts'
import type { Logger } from '../lib/logger.ts'
import type { Identity } from './identity.ts'
import { KeysUnavailableError, type TokenVerifier } from './token-verifier.ts'

/** How a protected route checks its caller (RFC 6750, with the challenges of RFC 9728). */
export interface BearerCheck {
  verify: TokenVerifier
  /**
   * Where the route's Protected Resource Metadata is served: named in every 401 and 403 so that a
   * client can find the authorization server and sign in.
   */
  resourceMetadataUrl?: string | undefined
  /**
   * How a person gets a token for this server, said in the 401 of a request that sent none (the
   * development issuer's exact \`fte auth token\` command, or the external issuer to sign in with).
   */
  tokenHint?: string | undefined
  /** Every scope the server's tokens may carry, named in a 401 so a client asks for them. */
  scopes?: readonly string[] | undefined
  logger: Logger
  /**
   * AUTH_DISABLED (a personal demo on loopback): no token is asked for or looked at, and every
   * request acts as this stand-in.
   */
  standIn?: Identity | undefined
}

const TOKEN = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/

/**
 * The identity a request's bearer token proves, or the response that refuses it: 401 (no token,
 * a token in the URL, an invalid token; naming the metadata and the scopes to ask for) or 503
 * (the issuer's keys are out of reach: not the caller's fault, so no 401 that would make a client
 * throw its token away, and never a pass). Tokens are read from the Authorization header only,
 * and never logged.
 */
export async function authenticate(
  request: Request,
  check: BearerCheck,
): Promise<{ identity: Identity; token: string } | Response> {
  if (check.standIn !== undefined) return { identity: check.standIn, token: '' }
  // Every scope: the issuer grants each account what it may have (staff only to staff).
  const scope = check.scopes === undefined ? '' : `, scope="${check.scopes.join(' ')}"`
  const metadata = `${metadataParameter(check.resourceMetadataUrl)}${scope}`
  const challenge = (description: string) =>
    Response.json(
      { error: 'invalid_token', error_description: description },
      {
        status: 401,
        headers: {
          'www-authenticate': `Bearer realm="digital-fte", error="invalid_token", error_description="${quoted(description)}"${metadata}`,
        },
      },
    )
  if (new URL(request.url).searchParams.has('access_token')) {
    check.logger.info('refused a request: a token in the URL')
    return challenge('Send the token in the Authorization header, never in the URL.')
  }
  const token = TOKEN.exec(request.headers.get('authorization') ?? '')?.[1]
  if (token === undefined) {
    return Response.json(
      {
        error: 'unauthorized',
        error_description: `A bearer token is required (Authorization: Bearer <token>); ${check.tokenHint ?? "sign in with this server's issuer, which its protected-resource metadata names."}`,
      },
      { status: 401, headers: { 'www-authenticate': `Bearer realm="digital-fte"${metadata}` } },
    )
  }
  try {
    return { identity: await check.verify(token), token }
  } catch (error) {
    if (error instanceof KeysUnavailableError) {
      check.logger.warn(
        { err: errorMessage(error.cause) },
        'cannot verify tokens: keys unavailable',
      )
      return Response.json(
        { error: 'temporarily_unavailable', error_description: error.message },
        { status: 503, headers: { 'retry-after': '5' } },
      )
    }
    const description = error instanceof FteError ? error.message : 'The access token is not valid.'
    check.logger.info({ reason: description }, 'refused a request: invalid token')
    return challenge(description)
  }
}

/** 403 `insufficient_scope` naming the scope: an MCP client asks the user for it and retries. */
export function insufficientScope(
  scope: string,
  description: string,
  resourceMetadataUrl: string | undefined,
): Response {
  return Response.json(
    { error: 'insufficient_scope', error_description: description, scope },
    {
      status: 403,
      headers: {
        'www-authenticate':
          `Bearer realm="digital-fte", error="insufficient_scope", scope="${scope}", ` +
          `error_description="${quoted(description)}"${metadataParameter(resourceMetadataUrl)}`,
      },
    },
  )
}

function metadataParameter(url: string | undefined): string {
  return url === undefined ? '' : `, resource_metadata="${url}"`
}

/**
 * A header parameter's value: no double quotes or line breaks inside it, and only printable ASCII
 * (a header cannot hold NUL or text beyond Latin-1): other text, such as a request's path, is
 * percent-encoded as UTF-8, the way a URL carries it.
 */
function quoted(text: string): string {
  return text
    .replace(/["\\]/g, "'")
    .replace(/[\r\n]+/g, ' ')
    .replace(/[^\x20-\x7e]+/g, (run) =>
      Array.from(
        utf8.encode(run),
        (byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
      ).join(''),
    )
}

const utf8 = new TextEncoder()
