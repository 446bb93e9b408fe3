import type { AuditEvent } from '../audit/audit-trail.ts'
import type { Json } from '../lib/json.ts'
import type { MessageEvent, TimelineEvent } from './timeline.ts'
import { objectOf } from './timeline-phrases.ts'

/** A tool call as the model's memory holds it: the Worker's request and the tool's answer. */
export interface CallMessages {
  call?: MessageEvent
  result?: MessageEvent
}

/** Which records of a timeline tell the same thing, keyed by the audit row whose entry tells them. */
export interface Pairs {
  /** The message a row stands for: received, sent, written by a person, telling a decision. */
  said: Map<AuditEvent, MessageEvent>
  /** The call messages of a Worker's call, a skill's activation or an approval request. */
  calls: Map<AuditEvent, CallMessages>
  /** The gateway's row of the call a Worker's `capability_invoked` row records. */
  gateway: Map<AuditEvent, AuditEvent>
  /** The preview an approval request shows. */
  previews: Map<AuditEvent, AuditEvent>
  /** Business events, by the invocation they were written in. */
  within: Map<string, AuditEvent[]>
  /** Everything told inside another record's entry. */
  told: Set<TimelineEvent>
}

/**
 * Pairs the records of one happening. A Worker's call leaves its row (with the model's call id),
 * the gateway's row (the same trace span), and the request and answer in the model's memory (the
 * call id); a skill's activation, its row and an `activate_skill` call; a message, its row and
 * the message itself, written when its turn ended (a received one right after its row, a sent
 * one right before). Calls are paired first, so an approval request only takes the call messages
 * of a call that never ran.
 */
export function pairEvents(events: readonly TimelineEvent[]): Pairs {
  const pairs: Pairs = {
    said: new Map(),
    calls: new Map(),
    gateway: new Map(),
    previews: new Map(),
    within: new Map(),
    told: new Set(),
  }
  const rows = events.filter((e): e is AuditEvent => e.kind === 'audit')
  const messages = events.filter((e): e is MessageEvent => e.kind === 'message')
  const byCallId = new Map<string, CallMessages>()
  for (const m of messages) {
    if (m.callId === null) continue
    const found = byCallId.get(m.callId) ?? {}
    if (m.itemType === 'function_call') found.call = m
    if (m.itemType === 'function_call_result') found.result = m
    byCallId.set(m.callId, found)
  }
  const claimCall = (row: AuditEvent, found: CallMessages | undefined) => {
    if (found?.call === undefined || pairs.told.has(found.call)) return
    pairs.calls.set(row, found)
    pairs.told.add(found.call)
    if (found.result !== undefined) pairs.told.add(found.result)
  }
  const firstCall = (tool: string, name: unknown) =>
    [...byCallId.values()].find(
      (c) =>
        c.call?.tool === tool &&
        !pairs.told.has(c.call) &&
        objectOf(parse(c.call.arguments)).name === name,
    )

  const gatewayRows = new Map<string, AuditEvent>()
  for (const row of rows) {
    const key = callKey(row)
    if (key !== undefined && row.actor.startsWith('gateway:')) gatewayRows.set(key, row)
  }
  for (const row of rows) {
    const args = objectOf(row.invocation?.arguments ?? null)
    if (row.invocation !== null && row.actor.startsWith('worker:')) {
      const gateway = gatewayRows.get(callKey(row) ?? '')
      if (gateway !== undefined && !pairs.told.has(gateway)) {
        pairs.gateway.set(row, gateway)
        pairs.told.add(gateway)
      }
      if (typeof args.call_id === 'string') claimCall(row, byCallId.get(args.call_id))
      // A skill's own calls (a resource read, a script) carry no call id: the first of its kind.
      const skill = /^skill:(.+)$/.exec(row.invocation.capability)?.[1]
      if (skill !== undefined && typeof args.tool === 'string') {
        claimCall(row, firstCall(args.tool, skill))
      }
    }
    if (row.action === 'skill_activated') {
      claimCall(row, firstCall('activate_skill', objectOf(row.payload).skill))
    }
  }

  const invoked = new Set(rows.map((r) => r.invocation?.id).filter((id) => id !== undefined))
  const place = new Map(events.map((event, i) => [event, i]))
  for (const [i, row] of rows.entries()) {
    const payload = objectOf(row.payload)
    if (row.action === 'approval_requested') {
      if (typeof payload.call_id === 'string') claimCall(row, byCallId.get(payload.call_id))
      const preview = rows
        .slice(0, i)
        .findLast((r) => r.invocation?.capability === `${row.target}:preview` && !pairs.told.has(r))
      if (preview !== undefined) {
        pairs.previews.set(row, preview)
        pairs.told.add(preview)
      }
    }
    if (row.invocationId !== null && row.invocation === null && invoked.has(row.invocationId)) {
      pairs.within.set(row.invocationId, [...(pairs.within.get(row.invocationId) ?? []), row])
      pairs.told.add(row)
    }
    const said = saidBy(row, place, messages, pairs.told)
    if (said !== undefined) {
      pairs.said.set(row, said)
      pairs.told.add(said)
    }
  }
  return pairs
}

/** The message a row records the receiving, sending or writing of, if it is still kept. */
function saidBy(
  row: AuditEvent,
  place: ReadonlyMap<TimelineEvent, number>,
  messages: readonly MessageEvent[],
  told: ReadonlySet<TimelineEvent>,
): MessageEvent | undefined {
  const free = (m: MessageEvent) => !told.has(m) && m.author === null
  const at = place.get(row) ?? 0
  const before = (m: MessageEvent) => (place.get(m) ?? 0) < at
  const text = (m: MessageEvent) => m.itemType === null || m.itemType === 'message'
  if (row.action === 'message_received') {
    const user = messages.filter((m) => free(m) && m.role === 'user')
    // Written right after its row by the Worker; right before it by an import or a fixture.
    return user.find((m) => !before(m)) ?? user.findLast(before)
  }
  if (row.action === 'message_sent') {
    return messages.findLast((m) => free(m) && m.role === 'assistant' && text(m) && before(m))
  }
  if (row.action === 'staff_request_decided') {
    // What the person was told of the decision, written by the decider just before the row.
    const by = objectOf(row.payload).decided_by
    return messages.findLast((m) => !told.has(m) && m.author === by && before(m))
  }
  if (row.action === 'person_message') {
    const id = row.target?.replace(/^message:/, '')
    return messages.find((m) => m.id === id && !told.has(m))
  }
  return undefined
}

/**
 * A call as both its rows name it: the capability, and the trace and the Worker's span it was
 * made from (the Worker records the traceparent it sent; the gateway, the one it got).
 */
function callKey(row: AuditEvent): string | undefined {
  const span = row.invocation?.parentSpanId ?? null
  return row.invocation === null || row.traceId === null || span === null
    ? undefined
    : `${row.invocation.capability}|${row.traceId}|${span}`
}

function parse(text: string | null): Json {
  try {
    return text === null ? null : (JSON.parse(text) as Json)
  } catch {
    return null
  }
}
