import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  type CallToolResult,
  type InputRequiredResult,
  type McpRequestContext,
  McpServer,
  type ProtocolEra,
  type StandardSchemaWithJSON,
} from '@modelcontextprotocol/server'
import type { SkillsExtension } from '@modelcontextprotocol/server/ext/skills'
import type { z } from 'zod'
import type { Identity } from '../auth/identity.ts'
import type { GatewayConfig } from '../config/sections/gateway.ts'
import type { Embedder } from '../embedding/embedder.ts'
import { createSearch } from '../embedding/search.ts'
import { InternalError } from '../lib/errors.ts'
import type { Logger } from '../lib/logger.ts'
import { packageRoot } from '../lib/package-root.ts'
import { conversationCorpus } from '../memory/conversation-summaries.ts'
import type { StaffRequest } from '../memory/staff-requests.ts'
import { type DomainPack, packScopes } from '../pack/domain-pack.ts'
import { requiredScope, type ToolDefinition } from '../pack/tool-definition.ts'
import { TOOL_META } from '../protocol/gateway-wire.ts'
import type { Database } from '../store/database.ts'
import { rateLimiter } from '../store/rate-limiter.ts'
import { callTool } from './call/call-tool.ts'
import type { GatewayDeps } from './call/gateway-deps.ts'
import { InFlight } from './call/in-flight.ts'
import { scopeRefusal } from './call/scope-guard.ts'
import { turnAway } from './call/turn-away.ts'
import { CONSENT_NOTE, consentChannel } from './consent-channel.ts'
import { poolsOf, refusalCounting } from './gateway-pools.ts'
import { SessionHandles } from './session-handle.ts'
import { sessionKey } from './session-key.ts'
import { decideStaffRequest, type StaffDecision } from './staff-decision.ts'
import { coreTools } from './tools/core-tools.ts'

/** The gateway's settings (GATEWAY_* configuration) and what it runs on. */
export interface GatewayOptions extends Omit<GatewayConfig, 'stdio' | 'consentTimeoutMs'> {
  /** How long a person has to answer the gateway's question about a call. Default: 2 minutes. */
  consentTimeoutMs?: number | undefined
  /**
   * A promise lets the gateway answer the MCP handshake while the database is still opening. A
   * function opens it, and opens it again on a later call after a failure (a database that was
   * busy or down when the process started), at most once every few seconds.
   */
  db: Database | Promise<Database> | (() => Promise<Database>)
  pack: DomainPack
  embedder: Embedder
  logger: Logger
  /** Agent Skills served alongside the tools (`skills/list`, `skills/get`, `skill://` resources). */
  skills?: SkillsExtension | undefined
}

/** The gateway, transport-free: its tools and what they need. One per process. */
export interface Gateway {
  tools: readonly ToolDefinition[]
  /**
   * Settles when the database is open and the session key loaded; rejects if they fail (the latest
   * attempt, when the database is opened by a function).
   */
  readonly ready: Promise<GatewayDeps>
  /**
   * A fresh MCP server for one caller (one connection, or one stateless HTTP request). `only`: the
   * request is a call of that tool, so the server needs no other (an unknown name gets them all,
   * and the usual "not found"). `era`: the protocol era the SDK chose for the connection or
   * request (`McpRequestContext.era`); a server connected by hand speaks 2025.
   */
  serverFor(
    identity: Identity,
    options?: { only?: string | undefined; era?: ProtocolEra },
  ): McpServer
  /** The factory `serveStdio` and `createMcpHandler` take: a server per connection, in its era. */
  factoryFor(identity: Identity): (context: McpRequestContext) => McpServer
  /**
   * For a transport that can refuse a call before it reaches a server (HTTP's 403): the scope
   * `identity` lacks to call tool `name`, the refusal recorded like any other. Undefined when the
   * token has the scope, or there is no such tool (the server answers that).
   */
  refuseUnscoped(
    identity: Identity,
    name: string,
  ): Promise<{ scope: string; message: string } | undefined>
  /** A staff member's decision on a request the gateway put to staff (see `decideStaffRequest`). */
  decide(decision: StaffDecision): Promise<StaffRequest>
}

/** How soon after a failed attempt a tool call may try to open the database again. */
const REOPEN_MS = 2000

const INSTRUCTIONS =
  'The only road to the system of record. Call begin_session first on every new request and ' +
  'pass its session handle to every other tool. If a tool fails, do not answer from memory.'

export function createGateway(options: GatewayOptions): Gateway {
  const { pack } = options
  if (pack.gateway === undefined) {
    throw new InternalError('internal', `the ${pack.name} domain pack has no gateway tools`)
  }
  const inFlight = new InFlight()
  const open = async (): Promise<GatewayDeps> => {
    const db = await (typeof options.db === 'function' ? options.db() : options.db)
    return {
      db,
      ...(await poolsOf(db, options)),
      sessions: new SessionHandles(await sessionKey(db, options.sessionSecret)),
      sessionTtlSeconds: options.sessionTtlSeconds,
      toolTimeoutMs: options.toolTimeoutMs,
      consentTimeoutMs: options.consentTimeoutMs ?? 120_000,
      maxConcurrentPerIdentity: options.maxConcurrentPerIdentity,
      inFlight,
      refusals: refusalCounting(db, options.logger),
      rateLimit:
        options.rateLimit === undefined
          ? undefined
          : { ...options.rateLimit, take: rateLimiter(db, options.rateLimit) },
      logger: options.logger,
      search: createSearch(db, options.embedder, { conversations: conversationCorpus }),
    }
  }
  let attempt = { deps: open(), at: Date.now(), failed: false }
  const watch = (current: typeof attempt) => {
    // A failure is reported by every tool call (fail closed), not as an unhandled rejection.
    current.deps.catch(() => {
      current.failed = true
    })
    return current
  }
  watch(attempt)
  const ready = (): Promise<GatewayDeps> => {
    if (
      attempt.failed &&
      typeof options.db === 'function' &&
      Date.now() - attempt.at >= REOPEN_MS
    ) {
      attempt = watch({ deps: open(), at: Date.now(), failed: false })
    }
    return attempt.deps
  }
  const tools = [
    ...coreTools({
      sessions: async () => (await ready()).sessions,
      sessionTtlSeconds: options.sessionTtlSeconds,
      persona: pack.gateway.persona,
      rules: pack.gateway.rules,
      linkIdentity: pack.gateway.linkIdentity,
    }),
    ...pack.gateway.tools,
  ]
  const names = new Set<string>()
  const scopes = packScopes(pack)
  for (const tool of tools) {
    const scope = requiredScope(tool)
    if (!scopes.includes(scope) || scope === 'staff') {
      throw new InternalError(
        'internal',
        `gateway tool ${tool.name} needs the "${scope}" scope, which is not one of its pack's (${scopes.filter((s) => s !== 'staff').join(', ')})`,
      )
    }
    if (!/^(begin_session|health|(domain|user|config)_[a-z0-9_]+)$/.test(tool.name)) {
      throw new InternalError(
        'internal',
        `gateway tool ${tool.name} does not follow the naming rule`,
      )
    }
    if (names.has(tool.name))
      throw new InternalError('internal', `two gateway tools are named ${tool.name}`)
    names.add(tool.name)
    if (tool.consent !== undefined && tool.annotations.readOnlyHint) {
      throw new InternalError(
        'internal',
        `gateway tool ${tool.name} only reads, so it needs no one's consent`,
      )
    }
    if (tool.isolation !== undefined && !tool.annotations.readOnlyHint) {
      throw new InternalError(
        'internal',
        `gateway tool ${tool.name} writes, so it needs a transaction`,
      )
    }
  }
  const version = packageVersion()
  // Built once: a stateless HTTP request gets a fresh server, but the tools it lists never change.
  const listed = tools.map((tool) => ({
    tool,
    config: {
      title: tool.title,
      description: tool.description + CONSENT_NOTE[tool.consent ?? 'none'],
      inputSchema: advertised(tool.input),
      annotations: { title: tool.title, ...tool.annotations },
      ...(tool.activity === undefined && tool.topic === undefined
        ? {}
        : {
            _meta: {
              ...(tool.activity === undefined ? {} : { [TOOL_META.activity]: tool.activity }),
              ...(tool.topic === undefined ? {} : { [TOOL_META.topic]: tool.topic }),
            },
          }),
    },
  }))
  return {
    tools,
    get ready() {
      return ready()
    },
    factoryFor(identity) {
      return (context) => this.serverFor(identity, { era: context.era })
    },
    serverFor(identity, { only, era } = {}) {
      const server = new McpServer(
        { name: 'digital-fte', version },
        {
          instructions: INSTRUCTIONS,
          // 2026-07-28 clients may keep the list: it is the same for every caller (scopes are checked
          // per call) and changes only with a restart, so a shared cache may hold it for minutes.
          cacheHints: { 'tools/list': { ttlMs: 5 * 60_000, cacheScope: 'public' } },
        },
      )
      options.skills?.attach(server)
      const called = listed.filter(({ tool }) => tool.name === only)
      for (const { tool, config } of called.length === 1 ? called : listed) {
        server.registerTool<
          StandardSchemaWithJSON,
          StandardSchemaWithJSON<Record<string, unknown>>
        >(
          tool.name,
          config,
          async (args, ctx): Promise<CallToolResult | InputRequiredResult> => ({
            ...(await callTool(
              ready(),
              tool,
              identity,
              args as Record<string, unknown>,
              ctx.mcpReq._meta as Record<string, unknown> | undefined,
              ctx.mcpReq.signal,
              consentChannel(server, ctx, era),
            )),
          }),
        )
      }
      return server
    },
    async decide(decision) {
      return decideStaffRequest(await ready(), tools, decision)
    },
    async refuseUnscoped(identity, name) {
      const tool = tools.find((t) => t.name === name)
      const refused = tool === undefined ? undefined : scopeRefusal(tool, identity)
      // A staff-only tool refused to a customer is no missing scope: its server answers that.
      if (tool === undefined || refused?.code !== 'insufficient_scope') return undefined
      const deps = await ready().catch(() => undefined)
      if (deps !== undefined) await turnAway(deps, tool, identity, refused, { charge: true })
      return { scope: requiredScope(tool), message: refused.message }
    },
  }
}

/**
 * The tool's schema as `tools/list` shows it, with the SDK's own validation switched off: the
 * gateway validates every call itself, so a refused call is audited like any other.
 */
function advertised(schema: z.ZodObject): StandardSchemaWithJSON<Record<string, unknown>> {
  const standard = (schema as unknown as StandardSchemaWithJSON<Record<string, unknown>>)[
    '~standard'
  ]
  return {
    '~standard': {
      version: 1,
      vendor: 'digital-fte',
      validate: (value: unknown) => ({ value: (value ?? {}) as Record<string, unknown> }),
      jsonSchema: standard.jsonSchema,
    },
  } as StandardSchemaWithJSON<Record<string, unknown>>
}

function packageVersion(): string {
  return (
    JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }
  ).version
}
