import { Client, type ClientOptions, type ProtocolEra } from '@modelcontextprotocol/client'
import { InMemoryTransport } from '@modelcontextprotocol/server'
import { serveStdio } from '@modelcontextprotocol/server/stdio'
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

/**
 * The two protocol eras, for `describe.each`: the official client as 2025 clients connect
 * (`initialize`, its default) and pinned to 2026-07-28 (`server/discover`, no fallback).
 */
export const ERAS = [
  { era: 'legacy', revision: '2025-11-25', options: {} },
  {
    era: 'modern',
    revision: '2026-07-28',
    options: { versionNegotiation: { mode: { pin: '2026-07-28' } } },
  },
] as const satisfies ReadonlyArray<{ era: ProtocolEra; revision: string; options: ClientOptions }>

/**
 * The official SDK client, connected in-process to a gateway server for one identity, in `era`.
 * The server side is served as `fte mcp` serves stdio, so the opening message picks the era.
 */
export async function connect(
  gateway: Gateway,
  identity: Identity,
  era: ProtocolEra = 'legacy',
): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
  serveStdio(gateway.factoryFor(identity), { transport: serverSide })
  const { options } = ERAS.find((e) => e.era === era) ?? ERAS[0]
  const client = new Client({ name: 'gateway-test', version: '1.0.0' }, options)
  await client.connect(clientSide)
  // A client that fell back silently must not pass for the era under test.
  if (client.getProtocolEra() !== era) {
    throw new Error(`asked for the ${era} era, connected in ${client.getProtocolEra()}`)
  }
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
