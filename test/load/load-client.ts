import {
  Client,
  type ProtocolEra,
  StreamableHTTPClientTransport,
} from '@modelcontextprotocol/client'
import { ERAS } from '../support/gateway-client.ts'

/** What one tool call came to, as the client saw it. */
export interface CallRecord {
  tool: string
  /** Which replica it went to (index into the list of servers). */
  replica: number
  /** The protocol era its client spoke. */
  era: ProtocolEra
  ms: number
  /** Ended when (ms since the run's clock started): for telling calls during a fault from after. */
  at: number
  outcome: 'ok' | 'tool_error' | 'failed'
  /** The tool's error text, or the transport's failure. */
  error?: string
  data?: Record<string, unknown>
}

/** HTTP statuses every load client saw, counted; a 5xx anywhere fails the run. */
export class StatusCounter {
  readonly counts = new Map<number, number>()

  readonly fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const response = await fetch(input, init)
    this.counts.set(response.status, (this.counts.get(response.status) ?? 0) + 1)
    return response
  }

  get serverErrors(): number {
    return [...this.counts].filter(([status]) => status >= 500).reduce((n, [, c]) => n + c, 0)
  }
}

/**
 * One person's MCP session spread over the replicas: the official SDK client, one connection per
 * replica, each with the person's bearer token, all in `era` (2025 `initialize`, or pinned to
 * 2026-07-28). `begin_session` on one; its handle works on all.
 */
export class LoadSession {
  private readonly clients: Array<Client | undefined>
  private readonly mcpUrls: readonly string[]
  private readonly token: string
  private readonly statuses: StatusCounter
  private readonly clock: () => number
  private readonly timeoutMs: number
  readonly era: ProtocolEra
  session = ''

  constructor(
    mcpUrls: readonly string[],
    token: string,
    statuses: StatusCounter,
    clock: () => number,
    era: ProtocolEra = 'legacy',
    timeoutMs = 30_000,
  ) {
    this.mcpUrls = mcpUrls
    this.token = token
    this.statuses = statuses
    this.clock = clock
    this.era = era
    this.timeoutMs = timeoutMs
    this.clients = mcpUrls.map(() => undefined)
  }

  private async client(replica: number): Promise<Client> {
    const existing = this.clients[replica]
    if (existing !== undefined) return existing
    const url = this.mcpUrls[replica]
    if (url === undefined) throw new Error(`no replica ${replica}`)
    const { options } = ERAS.find((e) => e.era === this.era) ?? ERAS[0]
    const client = new Client({ name: 'fte-load', version: '1.0.0' }, options)
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { Authorization: `Bearer ${this.token}` } },
        fetch: this.statuses.fetch,
      }),
    )
    if (client.getProtocolEra() !== this.era) {
      await client.close()
      throw new Error(`asked for the ${this.era} era, connected in ${client.getProtocolEra()}`)
    }
    this.clients[replica] = client
    return client
  }

  async begin(replica: number): Promise<CallRecord> {
    const record = await this.call(replica, 'begin_session', {})
    const handle = record.data?.session_handle
    if (record.outcome === 'ok' && typeof handle === 'string') this.session = handle
    return record
  }

  /** One call; never throws: a failure is recorded as what the client saw. */
  async call(replica: number, tool: string, args: Record<string, unknown>): Promise<CallRecord> {
    const started = performance.now()
    const done = (
      rest: Omit<CallRecord, 'tool' | 'replica' | 'era' | 'ms' | 'at'>,
    ): CallRecord => ({
      tool,
      replica,
      era: this.era,
      ms: performance.now() - started,
      at: this.clock(),
      ...rest,
    })
    try {
      const client = await this.client(replica)
      const result = await client.callTool(
        {
          name: tool,
          arguments:
            tool === 'begin_session' || tool === 'health'
              ? args
              : { session: this.session, ...args },
        },
        { timeout: this.timeoutMs },
      )
      const text = result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n')
      const data = (result.structuredContent ?? {}) as Record<string, unknown>
      return result.isError === true
        ? done({ outcome: 'tool_error', error: text.slice(0, 300) })
        : done({ outcome: 'ok', data })
    } catch (error) {
      // A dead connection leaves the client unusable: a fresh one next time.
      const client = this.clients[replica]
      this.clients[replica] = undefined
      await client?.close().catch(() => {})
      return done({ outcome: 'failed', error: describe(error) })
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c?.close().catch(() => {})))
  }
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  const cause = (error as { cause?: { code?: string; message?: string } }).cause
  return `${message}${cause?.code === undefined ? '' : ` (${cause.code})`}`.slice(0, 300)
}
