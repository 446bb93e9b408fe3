import { randomUUID } from 'node:crypto'
import { Client, type ElicitResult } from '@modelcontextprotocol/client'
import type { Transport } from '@modelcontextprotocol/server'
import type { CallToolResult, MCPCallToolOptions, MCPServer } from '@openai/agents'
import { type ApprovalSummary, approvalSummarySchema } from '../protocol/approval-summary.ts'
import { CONSENT_FIELD, CONSENT_META, META } from '../protocol/gateway-wire.ts'

type MCPTool = Awaited<ReturnType<MCPServer['listTools']>>[number]

export interface GatewayCallOptions extends MCPCallToolOptions {
  /**
   * The summary the person said yes to, on the Worker's consent card: when the gateway asks them
   * about this call itself, the Worker answers with that yes, and only if the gateway's summary
   * is the one they saw.
   */
  consent?: ApprovalSummary | undefined
}

/** The gateway as the Worker's agent sees it: an MCP server whose calls can carry consent. */
export interface GatewayServer extends MCPServer {
  /** The MCP revision this connection speaks (2026-07-28, or a 2025 one), once connected. */
  readonly protocol?: string | undefined
  callToolResult(
    name: string,
    args: Record<string, unknown> | null,
    meta?: Record<string, unknown> | null,
    options?: GatewayCallOptions,
  ): Promise<CallToolResult>
}

/** Which protocol era the client offers: the newest the gateway serves, or 2025 only. */
export type Negotiation = 'auto' | 'modern' | 'legacy'

/** A transport to the gateway, made afresh for each connection attempt. */
export type TransportFactory = () => Promise<Transport> | Transport

const NEGOTIATION = {
  auto: { mode: 'auto' },
  modern: { mode: { pin: '2026-07-28' } },
  legacy: { mode: 'legacy' },
} as const

/**
 * The Agents SDK's MCP server interface over the official MCP client, on any transport: it
 * negotiates the newest protocol era the gateway offers (2026-07-28, or 2025 with a gateway that
 * serves only that), and answers the gateway's own questions about a call (elicitation in 2025,
 * input-required results in 2026) with the consent the person gave on the Worker's card, so that
 * they are asked once. A question about a call they did not say yes to is put aside unanswered.
 */
export class GatewayClient implements GatewayServer {
  readonly cacheToolsList = true
  readonly name = 'digital-fte'
  private client: Client | undefined
  private tools: MCPTool[] | undefined
  /** Calls in flight that carry a person's yes, by the key the gateway's question echoes. */
  private readonly consents = new Map<string, ApprovalSummary>()
  private readonly transport: TransportFactory
  private readonly options: { negotiation: Negotiation[]; timeoutMs: number | undefined }

  /**
   * `negotiation`: the modes to try in order, a fresh transport each (a pinned 2026 connection
   * falling back to 2025 costs a second connection only with an old gateway).
   */
  constructor(
    transport: TransportFactory,
    options: { negotiation?: Negotiation[]; timeoutMs?: number } = {},
  ) {
    this.transport = transport
    this.options = { negotiation: options.negotiation ?? ['auto'], timeoutMs: options.timeoutMs }
  }

  /** The protocol era this connection speaks. */
  get era(): 'legacy' | 'modern' | undefined {
    return this.client?.getProtocolEra()
  }

  get protocol(): string | undefined {
    return this.client?.getNegotiatedProtocolVersion()
  }

  async connect(): Promise<void> {
    let failure: unknown
    for (const mode of this.options.negotiation) {
      const client = new Client(
        { name: 'digital-fte-worker', version: '1.0.0' },
        {
          versionNegotiation: NEGOTIATION[mode],
          capabilities: { elicitation: { form: {} } },
        },
      )
      client.setRequestHandler('elicitation/create', async (request) =>
        this.answer(request.params._meta as Record<string, unknown> | undefined),
      )
      try {
        await client.connect(
          await this.transport(),
          this.options.timeoutMs === undefined ? undefined : { timeout: this.options.timeoutMs },
        )
        this.client = client
        return
      } catch (error) {
        failure = error
        await client.close().catch(() => {})
      }
    }
    throw failure
  }

  async close(): Promise<void> {
    await this.client?.close()
  }

  async listTools(): Promise<MCPTool[]> {
    if (this.tools === undefined) {
      const { tools } = await this.connected().listTools()
      this.tools = tools as unknown as MCPTool[]
    }
    return this.tools
  }

  async callTool(
    name: string,
    args: Record<string, unknown> | null,
    meta?: Record<string, unknown> | null,
    options?: GatewayCallOptions,
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
    options?: GatewayCallOptions,
  ): Promise<CallToolResult> {
    const key = options?.consent === undefined ? undefined : randomUUID()
    if (key !== undefined && options?.consent !== undefined) {
      this.consents.set(key, options.consent)
    }
    try {
      const result = await this.connected().callTool(
        {
          name,
          arguments: args ?? {},
          _meta: { ...meta, ...(key === undefined ? {} : { [META.consentKey]: key }) },
        },
        {
          ...(options?.signal === undefined ? {} : { signal: options.signal }),
          ...(this.options.timeoutMs === undefined ? {} : { timeout: this.options.timeoutMs }),
        },
      )
      return result as unknown as CallToolResult
    } finally {
      if (key !== undefined) this.consents.delete(key)
    }
  }

  async invalidateToolsCache(): Promise<void> {
    this.tools = undefined
  }

  /** Yes only for a call in flight that carries a yes to the very summary the gateway shows. */
  private answer(meta: Record<string, unknown> | undefined): ElicitResult {
    const key = meta?.[CONSENT_META.key]
    const given = typeof key === 'string' ? this.consents.get(key) : undefined
    const asked = approvalSummarySchema.safeParse(meta?.[CONSENT_META.summary])
    // Not the person's no: the question is put aside unanswered, and the call does nothing.
    if (given === undefined || !asked.success || !sameSummary(given, asked.data)) {
      return { action: 'cancel' }
    }
    return { action: 'accept', content: { [CONSENT_FIELD]: true } }
  }

  private connected(): Client {
    if (this.client === undefined) throw new Error('the gateway client is not connected')
    return this.client
  }
}

/** The same lines, words and question: what the person saw is what the gateway asks about. */
function sameSummary(a: ApprovalSummary, b: ApprovalSummary): boolean {
  const view = (s: ApprovalSummary) =>
    JSON.stringify([
      s.title,
      s.prompt ?? null,
      s.lines.map((l) => [l.label, l.value]),
      s.model_text.map((m) => [m.label, m.text]),
    ])
  return view(a) === view(b)
}
