// The anchor for the gateway benchmarks: the official SDK's server with one no-op tool and
// nothing else (no auth, no database, no audit), over stdio, or over HTTP on the port given.
import { createServer } from 'node:http'
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

/** A bare HTTP MCP server on 127.0.0.1; resolves to its /mcp URL. */
export async function bareHttp(): Promise<{ url: string; close(): void }> {
  const handler = createMcpHandler(() => bareServer(), {
    responseMode: 'auto',
    legacy: 'stateless',
  })
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const request = new Request(`http://127.0.0.1${req.url}`, {
      method: req.method ?? 'POST',
      headers: req.headers as Record<string, string>,
      ...(req.method === 'POST' ? { body: Buffer.concat(chunks) } : {}),
    })
    const response = await handler.fetch(request)
    res.writeHead(response.status, Object.fromEntries(response.headers))
    res.end(Buffer.from(await response.arrayBuffer()))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address() as { port: number }
  return { url: `http://127.0.0.1:${address.port}/mcp`, close: () => server.close() }
}

if (process.argv[2] === 'stdio') {
  await bareServer().connect(new StdioServerTransport())
}
