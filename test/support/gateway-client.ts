import { Client } from '@modelcontextprotocol/client'
import { InMemoryTransport } from '@modelcontextprotocol/server'
import type { Identity } from '../../src/auth/identity.ts'
import { createLocalEmbedder } from '../../src/embedding/local-embedder.ts'
import { createGateway, type Gateway, type GatewayOptions } from '../../src/gateway/gateway.ts'
import { createLogger } from '../../src/lib/logger.ts'
import type { DomainPack } from '../../src/pack/domain-pack.ts'
import type { Database } from '../../src/store/database.ts'

/** A gateway on `db` serving `pack`, with test-friendly limits unless `options` say otherwise. */
export async function testGateway(
  db: Database,
  options: Partial<Omit<GatewayOptions, 'db'>> & { pack: DomainPack },
): Promise<Gateway> {
  return createGateway({
    db,
    pack: options.pack,
    embedder: options.embedder ?? createLocalEmbedder(1024, options.pack.lexicon),
    logger: options.logger ?? createLogger({ level: 'silent' }),
    sessionSecret: options.sessionSecret,
    sessionTtlSeconds: options.sessionTtlSeconds ?? 600,
    toolTimeoutMs: options.toolTimeoutMs ?? 10_000,
    consentTimeoutMs: options.consentTimeoutMs,
    maxConcurrentPerIdentity: options.maxConcurrentPerIdentity ?? 100,
    rateLimit: options.rateLimit,
    skills: options.skills,
  })
}

/** The official SDK client, connected in-process to a gateway server for one identity. */
export async function connect(gateway: Gateway, identity: Identity): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
  await gateway.serverFor(identity).connect(serverSide)
  const client = new Client({ name: 'gateway-test', version: '1.0.0' })
  await client.connect(clientSide)
  return client
}

export interface ToolReply {
  isError: boolean
  text: string
  data: Record<string, unknown>
}

/** Calls a tool and flattens the answer. */
export async function call(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
  meta?: Record<string, unknown>,
): Promise<ToolReply> {
  const result = await client.callTool({
    name,
    arguments: args,
    ...(meta === undefined ? {} : { _meta: meta }),
  })
  const content = (result.content ?? []) as Array<{ type: string; text?: string }>
  return {
    isError: result.isError === true,
    text: content.map((c) => c.text ?? '').join('\n'),
    data: (result.structuredContent ?? {}) as Record<string, unknown>,
  }
}

/** begin_session, returning the handle. */
export async function begin(client: Client, meta?: Record<string, unknown>): Promise<string> {
  const reply = await call(client, 'begin_session', {}, meta)
  if (reply.isError) throw new Error(`begin_session failed: ${reply.text}`)
  return String(reply.data.session_handle)
}
