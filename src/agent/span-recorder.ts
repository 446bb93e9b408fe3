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
 * A tracing processor that keeps the Agents SDK's traces for `agent_spans` instead of exporting
 * them anywhere: only traces the Worker announced are kept, and the Worker takes each one's spans
 * when its turn ends, to write them with the turn's other rows. Installed once per process as the
 * only processor, so no trace leaves the machine.
 */
class SpanRecorder implements TracingProcessor {
  private readonly expected = new Map<string, Expected>()

  expect(traceId: string, conversationId: string): void {
    this.expected.set(traceId, { conversationId, rows: [] })
  }

  /** The trace's ended spans, and the trace forgotten. */
  take(traceId: string): SpanRow[] {
    const entry = this.expected.get(traceId)
    this.expected.delete(traceId)
    return entry?.rows ?? []
  }

  async onTraceStart(_trace: Trace): Promise<void> {}
  async onTraceEnd(_trace: Trace): Promise<void> {}
  async onSpanStart(_span: Span<SpanData>): Promise<void> {}

  async onSpanEnd(span: Span<SpanData>): Promise<void> {
    const entry = this.expected.get(span.traceId)
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

  async shutdown(): Promise<void> {}
  async forceFlush(): Promise<void> {}
}

/** What a span's row keeps: usage, the tool, the MCP server; never inputs or outputs. */
function summary(data: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {}
  for (const key of ['model', 'usage', 'mcp_data', 'triggered', 'agent_name', 'tools']) {
    if (data[key] !== undefined) kept[key] = data[key]
  }
  return kept
}

let installed: SpanRecorder | undefined

/** The process's recorder, installed as the only trace processor on first use. */
export function spanRecorder(): SpanRecorder {
  if (installed === undefined) {
    installed = new SpanRecorder()
    setTraceProcessors([installed])
    // Safe to enable everywhere (the SDK turns tracing off under NODE_ENV=test): this recorder is
    // the only processor, and it writes to the Worker's database alone.
    setTracingDisabled(false)
  }
  return installed
}
