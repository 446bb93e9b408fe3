import type { ProtocolEra } from '@modelcontextprotocol/client'

/** A JSON-RPC request over HTTP, as `fetch` takes it. */
export interface RawMcpRequest {
  method: 'POST'
  headers: Record<string, string>
  body: string
}

const CLIENT = { name: 'raw', version: '1' }

/**
 * `method` as a client of `era` sends it over streamable HTTP, for tests that need the raw
 * request (a forged header, no client at all): a bare 2025 body, or the 2026-07-28 `_meta`
 * envelope with the MCP-Protocol-Version, Mcp-Method and (for a tool call) Mcp-Name headers.
 * `headers` are added last.
 */
export function mcpRequest(
  era: ProtocolEra,
  method: string,
  params: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): RawMcpRequest {
  const modern = era === 'modern'
  const envelope = {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientInfo': CLIENT,
    'io.modelcontextprotocol/clientCapabilities': {},
  }
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(modern
        ? {
            'mcp-protocol-version': '2026-07-28',
            'mcp-method': method,
            ...(method === 'tools/call' ? { 'mcp-name': String(params.name) } : {}),
          }
        : {}),
      ...headers,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method,
      params: modern ? { ...params, _meta: envelope } : params,
    }),
  }
}

/** The request that opens a connection in `era`: `initialize`, or `server/discover`. */
export function openingRequest(
  era: ProtocolEra,
  headers: Record<string, string> = {},
): RawMcpRequest {
  return era === 'modern'
    ? mcpRequest(era, 'server/discover', {}, headers)
    : mcpRequest(
        era,
        'initialize',
        { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: CLIENT },
        headers,
      )
}

/** The JSON-RPC message of an answer, sent as JSON or as one server-sent event. */
export async function answerOf(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text()
  const data = response.headers.get('content-type')?.startsWith('text/event-stream')
    ? text
        .split('\n')
        .find((line) => line.startsWith('data: '))
        ?.slice('data: '.length)
    : text
  return JSON.parse(data ?? 'null') as Record<string, unknown>
}
