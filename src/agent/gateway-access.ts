import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio'
import { InMemoryTransport } from '@modelcontextprotocol/server'
import { serveStdio } from '@modelcontextprotocol/server/stdio'
import type { Identity } from '../auth/identity.ts'
import type { Gateway } from '../gateway/gateway.ts'
import { InternalError } from '../lib/errors.ts'
import { GatewayClient, type GatewayServer } from './gateway-client.ts'

/** How the Worker reaches the gateway. */
export interface GatewayAccess {
  /** For logs and `fte doctor`: "in-process", "stdio (fte mcp)", or the URL. */
  readonly description: string
  /**
   * A connected MCP client of the gateway: as `identity` in-process, or as whoever the transport
   * proves (the local operator over stdio, the token's subject over HTTP).
   */
  connect(identity?: Identity): Promise<GatewayServer>
  close(): Promise<void>
}

/** Connections kept for in-process callers (one per signed-in person); the oldest goes first. */
const MAX_IN_PROCESS_CLIENTS = 200

/** The gateway in this process (`fte serve`, tests): one MCP client per identity, in memory. */
export function inProcessAccess(gateway: Gateway, standIn?: Identity): GatewayAccess {
  const clients = new Map<string, Promise<GatewayClient>>()
  return {
    description: 'in-process',
    async connect(identity = standIn) {
      if (identity === undefined) {
        throw new InternalError('internal', 'an in-process gateway needs the identity to act as')
      }
      // Everything the gateway decides by: a job's envelope and record make another caller.
      const key = JSON.stringify([
        identity.sub,
        identity.role,
        identity.scopes,
        identity.email ?? null,
        identity.envelope ?? null,
        identity.actsFor ?? null,
      ])
      let client = clients.get(key)
      if (client === undefined) {
        client = (async () => {
          const server = inProcessClient(gateway, identity)
          await server.connect()
          return server
        })()
        clients.set(key, client)
        client.catch(() => clients.delete(key))
        if (clients.size > MAX_IN_PROCESS_CLIENTS) {
          const [oldest] = clients
          if (oldest !== undefined) {
            clients.delete(oldest[0])
            void oldest[1].then((server) => server.close()).catch(() => {})
          }
        }
      } else {
        // Most recently used last.
        clients.delete(key)
        clients.set(key, client)
      }
      return client
    },
    async close() {
      const all = [...clients.values()]
      clients.clear()
      await Promise.all(all.map((c) => c.then((server) => server.close()).catch(() => {})))
    },
  }
}

/**
 * One shared connection (stdio or HTTP); a connection that failed is replaced on the next
 * `connect`, so a gateway that was down is reached again once it is back.
 */
function sharedAccess(description: string, make: () => GatewayServer): GatewayAccess {
  let current: Promise<GatewayServer> | undefined
  return {
    description,
    async connect() {
      if (current === undefined) {
        const server = make()
        current = server.connect().then(() => server)
        current.catch(() => {
          current = undefined
        })
      }
      return current
    },
    async close() {
      const server = await current?.catch(() => undefined)
      current = undefined
      await server?.close()
    },
  }
}

export interface StdioAccessOptions {
  command: string
  args: string[]
  env: Record<string, string>
  cwd: string
  /** Per request, and for start-up (the subprocess opens and migrates the database). */
  timeoutMs: number
}

/**
 * The gateway as an `fte mcp` subprocess over stdio. The 2026-07-28 protocol first, pinned: an
 * `auto` client would spawn a second subprocess to probe for it; a subprocess that serves only
 * 2025 costs one more start.
 */
export function stdioAccess(options: StdioAccessOptions): GatewayAccess {
  return sharedAccess(
    'stdio (fte mcp)',
    () =>
      new GatewayClient(
        () =>
          new StdioClientTransport({
            command: options.command,
            args: options.args,
            env: options.env,
            cwd: options.cwd,
          }),
        { negotiation: ['modern', 'legacy'], timeoutMs: options.timeoutMs },
      ),
  )
}

/** A remote gateway's `/mcp` over streamable HTTP, with a bearer token; the newest era it offers. */
export function httpAccess(options: {
  url: string
  token: string | undefined
  timeoutMs: number
  fetch?: typeof fetch
}): GatewayAccess {
  return sharedAccess(
    options.url,
    () =>
      new GatewayClient(
        () =>
          new StreamableHTTPClientTransport(new URL(options.url), {
            ...(options.token === undefined
              ? {}
              : { requestInit: { headers: { authorization: `Bearer ${options.token}` } } }),
            ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
          }),
        { timeoutMs: options.timeoutMs },
      ),
  )
}

/**
 * The gateway in this process, served over a linked pair in memory as `fte mcp` serves stdio:
 * both protocol eras, the newest negotiated.
 */
function inProcessClient(gateway: Gateway, identity: Identity): GatewayClient {
  return new GatewayClient(() => {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
    serveStdio(gateway.factoryFor(identity), { transport: serverSide })
    return clientSide
  })
}
