import { TRACEPARENT_META_KEY, TRACESTATE_META_KEY } from '@modelcontextprotocol/server'

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) as MCP carries it in a request's
 * `_meta`, under the unprefixed keys `traceparent` and `tracestate` (SEP-414). The Worker sends its
 * turn's trace with every gateway call; the gateway records the trace id on the call's rows. A
 * value that does not parse counts as none: trace context never fails a call.
 */
export interface TraceContext {
  /** 32 lowercase hex digits, not all zero. */
  traceId: string
  /** The caller's span the call was made from: 16 lowercase hex digits, not all zero. */
  parentId: string
  /** 2 lowercase hex digits; `01`: sampled. */
  flags: string
  /** Vendors' entries (`vendor=value,…`), passed on as they came. */
  tracestate?: string
}

// Version, trace-id, parent-id, flags; a later version may append fields after a dash.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/
const ZEROS = /^0+$/
// One `key=value` list member of tracestate, as the W3C grammar has it (tenant@system keys too).
const MEMBER =
  /^[a-z0-9][_0-9a-z\-*/@]{0,255}=[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/
const MAX_TRACESTATE = 512
const MAX_MEMBERS = 32

/**
 * A `traceparent` value, or undefined when it is none. Version `00` is exactly its four fields;
 * a later version is read by its first four, whatever follows them after a dash (W3C's rule for
 * versions a reader does not know); `ff` is never valid, nor an all-zero id, nor uppercase hex.
 */
export function parseTraceparent(value: unknown): Omit<TraceContext, 'tracestate'> | undefined {
  if (typeof value !== 'string') return undefined
  const match = TRACEPARENT.exec(value)
  if (match === null) return undefined
  const [, version, traceId = '', parentId = '', flags = '', rest] = match
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined
  if (ZEROS.test(traceId) || ZEROS.test(parentId)) return undefined
  return { traceId, parentId, flags }
}

/** The `traceparent` of a context, in version `00` (the one this writer knows). */
export function formatTraceparent(context: Omit<TraceContext, 'tracestate'>): string {
  return `00-${context.traceId}-${context.parentId}-${context.flags}`
}

/**
 * The trace context a request's `_meta` carries; undefined without a valid `traceparent`. A
 * `tracestate` is kept only beside one, and only when it is a well-formed list (W3C: a reader that
 * cannot parse it drops it).
 */
export function traceContextOf(meta: Readonly<Record<string, unknown>>): TraceContext | undefined {
  const parent = parseTraceparent(meta[TRACEPARENT_META_KEY])
  if (parent === undefined) return undefined
  const state = parseTracestate(meta[TRACESTATE_META_KEY])
  return state === undefined ? parent : { ...parent, tracestate: state }
}

/** The `_meta` entries of a call made in `context`; none without one. */
export function traceMeta(context: TraceContext | undefined): Record<string, string> {
  if (context === undefined) return {}
  return {
    [TRACEPARENT_META_KEY]: formatTraceparent(context),
    ...(context.tracestate === undefined ? {} : { [TRACESTATE_META_KEY]: context.tracestate }),
  }
}

/**
 * The W3C trace id of an Agents SDK trace id (`trace_` + 32 hex): the 32 hex digits. The SDK's
 * rows (`agent_spans`) keep the prefixed form, so `'trace_' || trace_id` joins them.
 */
export function w3cTraceId(agentsTraceId: string | undefined): string | undefined {
  return /^trace_([0-9a-f]{32})$/.exec(agentsTraceId ?? '')?.[1]
}

/**
 * The trace context of a call made in an Agents SDK span: its trace's id, and as the parent id the
 * first 16 of the span id's 24 hex digits (`span_` + 24 hex; W3C's parent id has 16), so
 * `left(span_id, 21) = 'span_' || parent_span_id` finds the span again. Sampled: the Worker
 * records every span. Undefined unless both ids are the SDK's.
 */
export function fromAgentsSdk(
  traceId: string | undefined,
  spanId: string | undefined,
): TraceContext | undefined {
  const trace = w3cTraceId(traceId)
  const span = /^span_([0-9a-f]{16})[0-9a-f]{8}$/.exec(spanId ?? '')?.[1]
  if (trace === undefined || span === undefined) return undefined
  return parseTraceparent(`00-${trace}-${span}-01`)
}

function parseTracestate(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_TRACESTATE) return undefined
  const members = value
    .split(',')
    .map((member) => member.replace(/^[ \t]+|[ \t]+$/g, ''))
    .filter((member) => member !== '')
  if (members.length === 0 || members.length > MAX_MEMBERS) return undefined
  return members.every((member) => MEMBER.test(member)) ? members.join(',') : undefined
}
