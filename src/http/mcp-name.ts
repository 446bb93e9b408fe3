/** JSON-RPC code for headers that disagree with the body (SEP-2243); the SDK answers the same. */
export const HEADER_MISMATCH = -32020

const SENTINEL = /^=\?base64\?(.*)\?=$/s
const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/**
 * What an `Mcp-Name` header names: its value, or the UTF-8 text of a `=?base64?…?=` sentinel
 * (how a client sends a name that is not plain ASCII). Undefined when the sentinel holds anything
 * but canonical base64 of valid UTF-8, which the specification has servers refuse.
 */
export function decodeMcpName(value: string): string | undefined {
  const sentinel = SENTINEL.exec(value)
  if (sentinel === null) return value
  const encoded = sentinel[1] ?? ''
  if (!CANONICAL_BASE64.test(encoded)) return undefined
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(encoded, 'base64'))
  } catch {
    return undefined
  }
}

/**
 * The refusal of a `tools/call` whose `Mcp-Name` header names another tool than its body: 400
 * with -32020, as the SDK answers a 2026-07-28 request, but for either era and before any scope
 * check, so a routing header never decides what runs or what is charged. Undefined when the
 * header is absent or agrees.
 */
export function mcpNameMismatch(request: Request, tool: string, id: unknown): Response | undefined {
  const header = request.headers.get('mcp-name')
  if (header === null || decodeMcpName(header) === tool) return undefined
  return Response.json(
    {
      jsonrpc: '2.0',
      id: typeof id === 'string' || typeof id === 'number' ? id : null,
      error: {
        code: HEADER_MISMATCH,
        message: `Bad Request: the request headers and body disagree: the body calls ${JSON.stringify(tool)} but the Mcp-Name header names ${JSON.stringify(header)}`,
        data: { mismatch: { header, body: tool } },
      },
    },
    { status: 400 },
  )
}
