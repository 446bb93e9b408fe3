import { Client } from '@modelcontextprotocol/client'
import { InMemoryTransport } from '@modelcontextprotocol/server'
import {
  type CallToolResult,
  type MCPCallToolOptions,
  type MCPServer,
  MCPServerStdio,
  MCPServerStreamableHttp,
} from '@openai/agents'
import type { Gateway } from '../gateway/gateway.ts'

type MCPTool = Awaited<ReturnType<MCPServer['listTools']>>[number]

import type { Identity } from '../auth/identity.ts'
import { InternalError } from '../lib/errors.ts'

/** How the Worker reaches the gateway. */
export interface GatewayAccess {
  /** For logs and `fte doctor`: "in-process", "stdio (fte mcp)", or the URL. */
  readonly description: string
  /**
   * A connected MCP client of the gateway: as `identity` in-process, or as whoever the transport
   * proves (the local operator over stdio, the token's subject over HTTP).
   */
  connect(identity?: Identity): Promise<MCPServer>
  close(): Promise<void>
}

/** Connections kept for in-process callers (one per signed-in person); the oldest goes first. */
const MAX_IN_PROCESS_CLIENTS = 200

/** The gateway in this process (`fte serve`, tests): one MCP client per identity, in memory. */
export function inProcessAccess(gateway: Gateway, standIn?: Identity): GatewayAccess {
  const clients = new Map<string, Promise<InProcessGateway>>()
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
          const server = new InProcessGateway(gateway, identity)
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
function sharedAccess(description: string, make: () => MCPServer): GatewayAccess {
  let current: Promise<MCPServer> | undefined
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

/** The gateway as an `fte mcp` subprocess, through the Agents SDK's stdio MCP client. */
export function stdioAccess(options: StdioAccessOptions): GatewayAccess {
  return sharedAccess('stdio (fte mcp)', () => {
    return new MCPServerStdio({
      name: 'digital-fte',
      command: options.command,
      args: options.args,
      env: options.env,
      cwd: options.cwd,
      cacheToolsList: true,
      clientSessionTimeoutSeconds: options.timeoutMs / 1000,
      timeout: options.timeoutMs,
    })
  })
}

/** A remote gateway's `/mcp` over streamable HTTP, with a bearer token. */
export function httpAccess(options: {
  url: string
  token: string | undefined
  timeoutMs: number
  fetch?: typeof fetch
}): GatewayAccess {
  return sharedAccess(options.url, () => {
    return new MCPServerStreamableHttp({
      name: 'digital-fte',
      url: options.url,
      cacheToolsList: true,
      clientSessionTimeoutSeconds: options.timeoutMs / 1000,
      timeout: options.timeoutMs,
      ...(options.token === undefined
        ? {}
        : { requestInit: { headers: { authorization: `Bearer ${options.token}` } } }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    })
  })
}

/** The Agents SDK's MCP server interface over the official client, linked in memory. */
class InProcessGateway implements MCPServer {
  readonly cacheToolsList = true
  readonly name = 'digital-fte'
  private readonly client = new Client({ name: 'digital-fte-worker', version: '1.0.0' })
  private tools: MCPTool[] | undefined
  private readonly gateway: Gateway
  private readonly identity: Identity

  constructor(gateway: Gateway, identity: Identity) {
    this.gateway = gateway
    this.identity = identity
  }

  async connect(): Promise<void> {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
    await this.gateway.serverFor(this.identity).connect(serverSide)
    await this.client.connect(clientSide)
  }

  async close(): Promise<void> {
    await this.client.close()
  }

  async listTools(): Promise<MCPTool[]> {
    if (this.tools === undefined) {
      const { tools } = await this.client.listTools()
      this.tools = tools as unknown as MCPTool[]
    }
    return this.tools
  }

  async callTool(
    name: string,
    args: Record<string, unknown> | null,
    meta?: Record<string, unknown> | null,
    options?: MCPCallToolOptions,
  ) {
    const result = await this.callToolResult(name, args, meta, options)
    return Object.assign(
      result.content,
      result.structuredContent === undefined ? {} : { structuredContent: result.structuredContent },
      result.isError === undefined ? {} : { isError: result.isError },
    )
  }

  async callToolResult(
    name: string,
    args: Record<string, unknown> | null,
    meta?: Record<string, unknown> | null,
    options?: MCPCallToolOptions,
  ): Promise<CallToolResult> {
    const result = await this.client.callTool(
      { name, arguments: args ?? {}, ...(meta ? { _meta: meta } : {}) },
      options?.signal === undefined ? undefined : { signal: options.signal },
    )
    return result as unknown as CallToolResult
  }

  async invalidateToolsCache(): Promise<void> {
    this.tools = undefined
  }
}
