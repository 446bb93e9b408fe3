import {
  createMcpHandler,
  hostHeaderValidationResponse,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  originValidationResponse,
} from '@modelcontextprotocol/server'
import { KeysUnavailableError } from '../auth/token-verifier.ts'
import { errorMessage, FteError } from '../lib/errors.ts'
import type { Logger } from '../lib/logger.ts'
import type { Gateway } from './gateway.ts'
import type { Identity } from './identity.ts'

/** Largest JSON-RPC body accepted on /mcp. */
export const MAX_MCP_BODY_BYTES = 1024 * 1024

export interface McpHttpOptions {
  gateway: Gateway
  /** The identity a bearer token proves; throws when it proves none. */
  verify(token: string): Promise<Identity>
  /** This server's public URL: its host is allowed besides localhost. */
  publicUrl: string
  /**
   * Where this resource's Protected Resource Metadata (RFC 9728) is served: named in every 401 so
   * that a client can find the authorization server and sign in.
   */
  resourceMetadataUrl?: string
  logger: Logger
}

/**
 * `/mcp`: stateless streamable HTTP. In order: Host and Origin checked against DNS rebinding, the
 * body size capped, the bearer token verified (only from the Authorization header), then the
 * request handed to a fresh MCP server for that identity.
 */
export function mcpHttpHandler(options: McpHttpOptions): (request: Request) => Promise<Response> {
  const publicHost = new URL(options.publicUrl).hostname
  const hostnames = [...new Set([...localhostAllowedHostnames(), publicHost])]
  const origins = [...new Set([...localhostAllowedOrigins(), publicHost])]
  const handler = createMcpHandler(
    ({ authInfo }) =>
      options.gateway.serverFor(
        authInfo?.extra?.identity as Identity,
        authInfo?.extra?.tool as string | undefined,
      ),
    {
      responseMode: 'auto',
      legacy: 'stateless',
      onerror: (error) => options.logger.debug({ err: error.message }, 'MCP request rejected'),
    },
  )
  const metadata =
    options.resourceMetadataUrl === undefined
      ? ''
      : `, resource_metadata="${options.resourceMetadataUrl}"`
  const challenge = (description: string) =>
    Response.json(
      { error: 'invalid_token', error_description: description },
      {
        status: 401,
        headers: {
          'www-authenticate': `Bearer realm="digital-fte", error="invalid_token", error_description="${description.replaceAll('"', "'")}"${metadata}`,
        },
      },
    )
  return async (request) => {
    const rejected =
      hostHeaderValidationResponse(request, hostnames) ?? originValidationResponse(request, origins)
    if (rejected !== undefined) {
      options.logger.info(
        { host: request.headers.get('host'), origin: request.headers.get('origin') },
        'refused an MCP request: Host or Origin not allowed',
      )
      return rejected
    }
    const length = Number(request.headers.get('content-length') ?? '0')
    if (length > MAX_MCP_BODY_BYTES) {
      return Response.json(
        { error: 'payload_too_large', message: `At most ${MAX_MCP_BODY_BYTES} bytes per request.` },
        { status: 413 },
      )
    }
    if (new URL(request.url).searchParams.has('access_token')) {
      return challenge('Send the token in the Authorization header, never in the URL.')
    }
    const header = request.headers.get('authorization') ?? ''
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header)
    if (match?.[1] === undefined) {
      return Response.json(
        {
          error: 'unauthorized',
          error_description:
            'A bearer token is required (Authorization: Bearer <token>); for development, `npm run --silent fte -- token` prints one.',
        },
        { status: 401, headers: { 'www-authenticate': `Bearer realm="digital-fte"${metadata}` } },
      )
    }
    let identity: Identity
    try {
      identity = await options.verify(match[1])
    } catch (error) {
      if (error instanceof KeysUnavailableError) {
        // Not the caller's fault: no 401 (a client would throw its token away), and never a pass.
        options.logger.warn(
          { err: errorMessage(error.cause) },
          'cannot verify tokens: keys unavailable',
        )
        return Response.json(
          { error: 'temporarily_unavailable', error_description: error.message },
          { status: 503, headers: { 'retry-after': '5' } },
        )
      }
      const description =
        error instanceof FteError ? error.message : 'The access token is not valid.'
      options.logger.info({ reason: description }, 'refused an MCP request: invalid token')
      return challenge(description)
    }
    // Read here (the SDK takes it pre-parsed) to see which tool a tools/call names: that request's
    // server then registers only that tool instead of every one.
    const text = request.method === 'POST' ? await request.text() : undefined
    const parsedBody = text === undefined ? undefined : parseJson(text)
    return handler.fetch(
      parsedBody === undefined && text !== undefined
        ? new Request(request, { body: text }) // not JSON: the SDK answers the parse error
        : request,
      {
        authInfo: {
          token: match[1],
          clientId: identity.sub,
          scopes: [...identity.scopes],
          extra: { identity, tool: calledTool(parsedBody) },
        },
        ...(parsedBody === undefined ? {} : { parsedBody }),
      },
    )
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** The tool a single `tools/call` message names, if that is what the body is. */
function calledTool(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined
  const message = body as { method?: unknown; params?: { name?: unknown } }
  return message.method === 'tools/call' && typeof message.params?.name === 'string'
    ? message.params.name
    : undefined
}
