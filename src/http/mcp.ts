import { createMcpHandler } from '@modelcontextprotocol/server'
import { authenticate, type BearerCheck, insufficientScope } from '../auth/bearer.ts'
import { type HostOriginOptions, hostOriginCheck } from '../auth/host-origin.ts'
import type { Identity } from '../auth/identity.ts'
import type { Gateway } from '../gateway/gateway.ts'
import { mcpNameMismatch } from './mcp-name.ts'

/** Largest JSON-RPC body accepted on /mcp. */
export const MAX_MCP_BODY_BYTES = 1024 * 1024

export interface McpHttpOptions extends BearerCheck, HostOriginOptions {
  gateway: Gateway
}

/**
 * `/mcp`: stateless streamable HTTP, both protocol eras (2025 `initialize`, 2026-07-28
 * `server/discover`). In order: Host and Origin checked against DNS rebinding, the body size
 * capped, the bearer token verified (only from the Authorization header), a tool call's Mcp-Name
 * header and scope checked, then the request handed to a fresh MCP server for that identity.
 */
export function mcpHttpHandler(options: McpHttpOptions): (request: Request) => Promise<Response> {
  const foreign = hostOriginCheck(options)
  const handler = createMcpHandler(
    ({ authInfo, era }) =>
      options.gateway.serverFor(authInfo?.extra?.identity as Identity, {
        only: authInfo?.extra?.tool as string | undefined,
        era,
      }),
    {
      responseMode: 'auto',
      legacy: 'stateless',
      onerror: (error) => options.logger.debug({ err: error.message }, 'MCP request rejected'),
    },
  )
  return async (request) => {
    const refused = foreign(request)
    if (refused !== undefined) {
      options.logger.info(
        { host: request.headers.get('host'), origin: request.headers.get('origin') },
        'refused an MCP request: Host or Origin not allowed',
      )
      // As the MCP specification has it: a JSON-RPC error without an id.
      return Response.json(
        { jsonrpc: '2.0', error: { code: -32000, message: refused }, id: null },
        { status: 403 },
      )
    }
    const length = Number(request.headers.get('content-length') ?? '0')
    if (length > MAX_MCP_BODY_BYTES) {
      return Response.json(
        { error: 'payload_too_large', message: `At most ${MAX_MCP_BODY_BYTES} bytes per request.` },
        { status: 413 },
      )
    }
    const checked = await authenticate(request, options)
    if (checked instanceof Response) return checked
    const { identity, token } = checked
    // Read here (the SDK takes it pre-parsed) to see which tool a tools/call names: that request's
    // server then registers only that tool instead of every one.
    const text = request.method === 'POST' ? await request.text() : undefined
    const parsedBody = text === undefined ? undefined : parseJson(text)
    const call = calledTool(parsedBody)
    const tool = call?.name
    if (call !== undefined) {
      // Checked in both eras (the SDK checks 2026 requests only, and after us): the body decides.
      const mismatch = mcpNameMismatch(request, call.name, call.id)
      if (mismatch !== undefined) {
        options.logger.info({ tool }, 'refused an MCP call: Mcp-Name disagrees with the body')
        return mismatch
      }
      // Refused here, with a status a client can act on: it asks the user for the scope.
      const refused = await options.gateway.refuseUnscoped(identity, call.name)
      if (refused !== undefined) {
        options.logger.info({ tool, scope: refused.scope }, 'refused an MCP call: scope missing')
        return insufficientScope(refused.scope, refused.message, options.resourceMetadataUrl)
      }
    }
    return handler.fetch(
      parsedBody === undefined && text !== undefined
        ? new Request(request, { body: text }) // not JSON: the SDK answers the parse error
        : request,
      {
        authInfo: {
          token,
          clientId: identity.sub,
          scopes: [...identity.scopes],
          extra: { identity, tool },
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

/** The tool a single `tools/call` message names, and its id, if that is what the body is. */
function calledTool(body: unknown): { name: string; id: unknown } | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined
  const message = body as { id?: unknown; method?: unknown; params?: { name?: unknown } }
  return message.method === 'tools/call' && typeof message.params?.name === 'string'
    ? { name: message.params.name, id: message.id }
    : undefined
}
