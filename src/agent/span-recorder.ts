import {
  type Span,
  type SpanData,
  setTraceProcessors,
  setTracingDisabled,
  type Trace,
  type TracingProcessor,
} from '@openai/agents'
import type { SpanRow } from '../memory/agent-session.ts'

interface Expected {
  conversationId: string
  rows: SpanRow[]
}

/**
 * Keeps the Agents SDK's spans of a Worker's turns for `agent_spans` instead of exporting them
 * anywhere: only traces this recorder announced are kept, and the Worker takes each one's spans
 * when its turn ends, to write them with the turn's other rows. Each Worker has its own; they
 * share the process's one trace processor (see {@link SpanRouter}), which hands each of them only
 * the spans of traces it announced.
 */
export class SpanRecorder {
  readonly #expected = new Map<string, Expected>()
  readonly #router = spanRouter()

  expect(traceId: string, conversationId: string): void {
    this.#expected.set(traceId, { conversationId, rows: [] })
    this.#router.route(traceId, this)
  }

  /** The trace's ended spans, and the trace forgotten. */
  take(traceId: string): SpanRow[] {
    const entry = this.#expected.get(traceId)
    this.#expected.delete(traceId)
    this.#router.release(traceId, this)
    return entry?.rows ?? []
  }

  /** Keeps an ended span of a trace this recorder expects. */
  keep(span: Span<SpanData>): void {
    const entry = this.#expected.get(span.traceId)
    if (entry === undefined) return
    const data = span.spanData as SpanData & Record<string, unknown>
    entry.rows.push({
      trace_id: span.traceId,
      span_id: span.spanId,
      parent_id: span.parentId,
      conversation_id: entry.conversationId,
      kind: data.type,
      name: typeof data.name === 'string' ? data.name : null,
      started_at: span.startedAt,
      ended_at: span.endedAt,
      error: span.error,
      data: summary(data),
    })
  }
}

/** What a span's row keeps: usage, the tool, the MCP server; never inputs or outputs. */
function summary(data: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {}
  for (const key of ['model', 'usage', 'mcp_data', 'triggered', 'agent_name', 'tools']) {
    if (data[key] !== undefined) kept[key] = data[key]
  }
  return kept
}

/**
 * The process's trace processor: it forwards each ended span to the recorder that announced its
 * trace and drops every other, so no trace leaves the machine. The SDK's processors are
 * process-wide (`setTraceProcessors`), which makes this the one piece of process state the
 * Worker needs; which spans are kept, and for whom, stays on each recorder.
 */
class SpanRouter implements TracingProcessor {
  readonly #recorders = new Map<string, SpanRecorder>()

  route(traceId: string, recorder: SpanRecorder): void {
    this.#recorders.set(traceId, recorder)
  }

  release(traceId: string, recorder: SpanRecorder): void {
    if (this.#recorders.get(traceId) === recorder) this.#recorders.delete(traceId)
  }

  async onTraceStart(_trace: Trace): Promise<void> {}
  async onTraceEnd(_trace: Trace): Promise<void> {}
  async onSpanStart(_span: Span<SpanData>): Promise<void> {}

  async onSpanEnd(span: Span<SpanData>): Promise<void> {
    this.#recorders.get(span.traceId)?.keep(span)
  }

  async shutdown(): Promise<void> {}
  async forceFlush(): Promise<void> {}
}

let router: SpanRouter | undefined

/** The process's router, installed as the only trace processor when the first recorder is made. */
function spanRouter(): SpanRouter {
  if (router === undefined) {
    router = new SpanRouter()
    setTraceProcessors([router])
    // Safe to enable everywhere (the SDK turns tracing off under NODE_ENV=test): the router is
    // the only processor, and recorders write to their Worker's database alone.
    setTracingDisabled(false)
  }
  return router
}
