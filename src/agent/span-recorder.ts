import {
  type Span,
  type SpanData,
  setTraceProcessors,
  setTracingDisabled,
  type Trace,
  type TracingProcessor,
} from '@openai/agents'
import type { Queryable } from '../store/database.ts'

interface SpanRow {
  trace_id: string
  span_id: string
  parent_id: string | null
  conversation_id: string | null
  kind: string
  name: string | null
  started_at: string | null
  ended_at: string | null
  error: unknown
  data: Record<string, unknown>
}

interface Expected {
  db: Queryable
  conversationId: string
  rows: SpanRow[]
  written: Promise<void> | undefined
}

/**
 * A tracing processor that keeps the Agents SDK's traces in `agent_spans` instead of exporting
 * them anywhere: only traces the Worker announced are kept, each written in one statement when it
 * ends. Installed once per process as the only processor, so no trace leaves the machine.
 */
class SpanRecorder implements TracingProcessor {
  private readonly expected = new Map<string, Expected>()

  expect(traceId: string, db: Queryable, conversationId: string): void {
    this.expected.set(traceId, { db, conversationId, rows: [], written: undefined })
  }

  /** Waits for the trace's spans to be written (when it has ended), then forgets it. */
  async settle(traceId: string): Promise<void> {
    const entry = this.expected.get(traceId)
    if (entry === undefined) return
    if (entry.written === undefined) entry.written = this.write(entry)
    this.expected.delete(traceId)
    await entry.written
  }

  async onTraceStart(_trace: Trace): Promise<void> {}

  async onTraceEnd(trace: Trace): Promise<void> {
    const entry = this.expected.get(trace.traceId)
    if (entry !== undefined && entry.written === undefined) entry.written = this.write(entry)
  }

  async onSpanStart(_span: Span<SpanData>): Promise<void> {}

  async onSpanEnd(span: Span<SpanData>): Promise<void> {
    const entry = this.expected.get(span.traceId)
    if (entry === undefined || entry.written !== undefined) return
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

  private async write(entry: Expected): Promise<void> {
    if (entry.rows.length === 0) return
    await entry.db.query(
      `INSERT INTO agent_spans
         (trace_id, span_id, parent_id, conversation_id, kind, name, started_at, ended_at, error, data)
       SELECT trace_id, span_id, parent_id, conversation_id, kind, name, started_at, ended_at, error, data
       FROM jsonb_to_recordset($1::jsonb) AS x(trace_id text, span_id text, parent_id text,
         conversation_id uuid, kind text, name text, started_at timestamptz, ended_at timestamptz,
         error jsonb, data jsonb)
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(entry.rows)],
    )
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
