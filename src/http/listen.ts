import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getRequestListener } from '@hono/node-server'
import { type NodeIncomingMessageLike, toNodeHandler } from '@modelcontextprotocol/node'
import { CallerError } from '../lib/errors.ts'
import { MAX_MCP_BODY_BYTES } from './mcp.ts'

export interface RunningServer {
  /** `http://host:port`, with the port actually bound (useful with port 0). */
  url: string
  close(): Promise<void>
}

export type FetchHandler = (request: Request) => Response | Promise<Response>

export interface Handlers {
  /** Every route (Hono's Node adapter). */
  fetch: FetchHandler
  /**
   * `/mcp`, when given: through the MCP SDK's own Node adapter, which reads the (capped) body into
   * memory instead of streaming it through web streams. It is the path of every tool call, and
   * the leaner adapter measurably raises the gateway's throughput.
   */
  mcp?: FetchHandler
}

/** The thin Node adapters around web-standard handlers. */
export async function listen(
  handlers: Handlers,
  host: string,
  port: number,
): Promise<RunningServer> {
  const rest = getRequestListener((request: Request) => handlers.fetch(request))
  const { mcp } = handlers
  const viaSdk =
    mcp === undefined
      ? undefined
      : toNodeHandler(
          { fetch: (request: Request) => Promise.resolve(mcp(request)) },
          { maxRequestBodySize: MAX_MCP_BODY_BYTES },
        )
  const server = createServer((req, res) => {
    if (viaSdk !== undefined && req.url?.split('?')[0] === '/mcp')
      void viaSdk(req as NodeIncomingMessageLike, res)
    else void rest(req, res)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new CallerError(
          error.code === 'EADDRINUSE' ? 'port_in_use' : 'listen_failed',
          error.code === 'EADDRINUSE'
            ? `Port ${port} on ${host} is already in use: stop the other process, or choose another ` +
                'port with PORT or --port.'
            : `Cannot listen on ${host}:${port}: ${error.message}`,
          { cause: error },
        ),
      )
    })
    server.listen(port, host, () => resolve())
  })
  const address = server.address() as AddressInfo
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        if ('closeAllConnections' in server) server.closeAllConnections()
      }),
  }
}
