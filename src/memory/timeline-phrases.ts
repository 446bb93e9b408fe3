import type { AuditEvent } from '../audit/audit-trail.ts'
import type { Json, JsonObject } from '../lib/json.ts'

/**
 * Keys that tie rows together for machines and say nothing to a reader (`trace_id`: in the
 * payloads of rows written before their trace had a column, migration 015).
 */
const PLUMBING = new Set(['call_id', 'trace_id'])

/** An audit row in words, on one line: the core's events as sentences, a pack's by name. */
export function phrase(row: AuditEvent): string {
  const p = objectOf(row.payload)
  switch (row.action) {
    case 'session_started':
      return typeof p.role === 'string' ? `opened a session as ${p.role}` : 'opened a session'
    case 'handoff_started':
      return 'took the conversation over from the Worker'
    case 'handoff_ended':
      return 'handed the conversation back to the Worker'
    case 'reply_withheld':
      return 'held its reply back: a person has the conversation'
    case 'staff_request_routed':
      return `put ${p.tool} to staff (request ${p.request_id})`
    case 'staff_request_decided':
      return `${p.decision} the request for ${p.tool}${typeof p.reason === 'string' ? `: ${p.reason}` : ''}`
    case 'guardrail_tripped': {
      const { guardrail, ...rest } = p
      return `guardrail ${guardrail} tripped${inline(rest)}`
    }
  }
  return `${row.action}${row.target === null ? '' : ` ${row.target}`}${inline(p)}`
}

/** A row's payload and result in whole, for --verbose. */
export function recorded(row: AuditEvent): string[] {
  const p = objectOf(row.payload)
  return [
    ...(Object.keys(p).length === 0 ? [] : [`${row.action} payload: ${compact(p)}`]),
    ...(row.result === null ? [] : [`${row.action} result: ${compact(row.result)}`]),
  ]
}

/** A payload's plain values in brackets, `(rule already_refunded, amount_cents 21900)`, short. */
function inline(payload: JsonObject): string {
  const parts = Object.entries(payload)
    .filter(([key, value]) => !PLUMBING.has(key) && value !== null)
    .map(([key, value]) => `${key} ${typeof value === 'string' ? value : compact(value)}`)
  return parts.length === 0 ? '' : ` (${short(parts.join(', '), 100)})`
}

/** What a `message_sent` row says of the reply's cost: model, tokens, dollars. */
export function usage(payload: JsonObject): string {
  const parts = [
    ...(typeof payload.model === 'string' ? [payload.model] : []),
    ...(typeof payload.input_tokens === 'number'
      ? [`tokens in ${payload.input_tokens}, out ${payload.output_tokens ?? 0}`]
      : []),
    ...(typeof payload.cost_usd === 'number' ? [`$${payload.cost_usd}`] : []),
  ]
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`
}

/** A message whose text expired (retention keeps audit rows longer than messages). */
export function gone(chars: Json | undefined): string {
  return typeof chars === 'number'
    ? `(${chars} characters, no longer kept)`
    : '(the message is no longer kept)'
}

/** `mcp:domain_lookup_order` → `domain_lookup_order`. */
export function toolName(capability: string): string {
  return capability.replace(/^mcp:/, '')
}

/** Arguments as a reader needs them: without the keys that tie rows together. */
export function withoutPlumbing(value: Json): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
  return Object.fromEntries(Object.entries(value).filter(([key]) => !PLUMBING.has(key)))
}

/** `2.1 kB`: a size as people read it. */
export function size(bytes: number): string {
  return bytes < 1000 ? `${bytes} B` : `${(bytes / 1000).toFixed(1)} kB`
}

/** The first line of a text, cut at `max` characters; `…` says there is more. */
export function short(text: string, max: number): string {
  const trimmed = text.trim()
  const first = trimmed.split('\n')[0] ?? ''
  const cut = first.length > max ? `${first.slice(0, max - 1)}…` : first
  return cut.length < trimmed.length && !cut.endsWith('…') ? `${cut} …` : cut
}

export function lines(text: string): string[] {
  return text.replace(/\s+$/, '').split('\n')
}

export function compact(value: Json): string {
  return JSON.stringify(value)
}

/** The value when it is a JSON object; an empty one otherwise. */
export function objectOf(value: Json | undefined): JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {}
}
