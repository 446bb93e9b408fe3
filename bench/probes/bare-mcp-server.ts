// The anchor for the gateway benchmarks: the official SDK's server with one no-op tool and
// nothing else (no auth, no database, no audit), over stdio, or over HTTP served the SDK's own way.
import { createServer } from 'node:http'
import { type NodeIncomingMessageLike, toNodeHandler } from '@modelcontextprotocol/node'
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server'
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio'
import { z } from 'zod'

export function bareServer(): McpServer {
  const server = new McpServer({ name: 'bare', version: '1.0.0' })
  server.registerTool(
    'noop',
    { description: 'Does nothing.', inputSchema: z.strictObject({}) },
    async () => ({ content: [{ type: 'text', text: 'ok' }] }),
  )
  return server
}

/**
 * A bare HTTP MCP server on 127.0.0.1, stateless, through the SDK's Node adapter (the gateway's
 * /mcp takes the same path); resolves to its /mcp URL.
 */
export async function bareHttp(): Promise<{ url: string; close(): void }> {
  const handler = toNodeHandler(
    createMcpHandler(() => bareServer(), { responseMode: 'auto', legacy: 'stateless' }),
  )
  const server = createServer((req, res) => {
    void handler(req as NodeIncomingMessageLike, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address() as { port: number }
  return { url: `http://127.0.0.1:${address.port}/mcp`, close: () => server.close() }
}

if (process.argv[2] === 'stdio') {
  await bareServer().connect(new StdioServerTransport())
}
