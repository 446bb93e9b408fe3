import type { AuditEvent } from '../audit/audit-trail.ts'
import type { Json } from '../lib/json.ts'
import type { MessageEvent, Timeline } from './timeline.ts'
import { ActorNames, type KnownPeople } from './timeline-actors.ts'
import { type CallMessages, type Pairs, pairEvents } from './timeline-pairs.ts'
import {
  compact,
  gone,
  lines,
  objectOf,
  phrase,
  recorded,
  short,
  size,
  toolName,
  usage,
  withoutPlumbing,
} from './timeline-phrases.ts'

/** How much of a call's arguments and answer a line shows: --verbose shows them whole. */
const ARGUMENTS = 80
const ANSWER = 120

/** One thing that happened, told once, with who did it. */
export interface StoryEntry {
  at: Date
  actor: string
  /** What happened, in one line. */
  line: string
  /** Beneath the line, always: what was said, what a call decided and answered. */
  body: string[]
  /** Beneath the line with --verbose: skill bodies, whole arguments and answers, the rows behind it. */
  details: string[]
}

/**
 * The timeline as a support lead follows it: in time order (entries of one moment in the order
 * they were written), each happening told once. A Worker's call is one entry however many records
 * it left (the Worker's row, the gateway's, the request and answer in the model's memory, the
 * business events written in it); a message is told when it was received or sent, not when its
 * turn was written. Records nothing else tells stand on their own.
 */
export function tellStory(timeline: Timeline, people: KnownPeople): StoryEntry[] {
  const teller = new Teller(new ActorNames(timeline, people), pairEvents(timeline.events))
  const entries = timeline.events
    .filter((event) => !teller.pairs.told.has(event))
    .map((event) => (event.kind === 'message' ? teller.message(event) : teller.row(event)))
  // Array sort is stable: entries of one moment keep the order they were written in.
  return entries.sort((a, b) => a.at.getTime() - b.at.getTime())
}

interface Told {
  line: string
  body?: string[]
  details?: string[]
  /** Rows told in the entry besides its own, listed with --verbose. */
  rows?: Array<AuditEvent | undefined>
}

class Teller {
  readonly names: ActorNames
  readonly pairs: Pairs

  constructor(names: ActorNames, pairs: Pairs) {
    this.names = names
    this.pairs = pairs
  }

  row(row: AuditEvent): StoryEntry {
    const { names, pairs } = this
    const said = pairs.said.get(row)
    const payload = objectOf(row.payload)
    const words = (chars: Json | undefined) =>
      said === undefined ? [gone(chars)] : lines(said.content)
    switch (row.action) {
      case 'message_received': {
        const redacted = Array.isArray(payload.redacted) ? payload.redacted : []
        const note = redacted.length === 0 ? '' : ` (${redacted.join(', ')} replaced)`
        const person = names.owner ?? names.subjectOf(row.actor) ?? row.actor
        return entry(row, names.person(person), {
          line: `wrote${note}`,
          body: words(payload.chars),
        })
      }
      case 'person_message':
        return entry(row, names.of(row.actor), { line: 'wrote', body: words(payload.chars) })
      case 'message_sent':
        return entry(row, names.of(row.actor), {
          line: `replied${usage(payload)}`,
          body: words(payload.chars),
        })
      case 'skill_activated': {
        const body = pairs.calls.get(row)?.result?.content
        const measure =
          typeof payload.body_bytes === 'number'
            ? size(payload.body_bytes)
            : `${payload.body_tokens ?? '?'} tokens`
        return entry(row, names.of(row.actor), {
          line: `activated skill ${payload.skill ?? row.target} (${measure})`,
          details: body === undefined ? [] : lines(body),
        })
      }
      case 'approval_requested': {
        const preview = objectOf(pairs.previews.get(row)?.invocation?.result ?? null).preview
        const tool = toolName(row.target ?? '')
        const args = pairs.calls.get(row)?.call?.arguments
        return entry(row, names.of(row.actor), {
          line:
            typeof preview === 'string'
              ? `asked for approval: ${preview} (${tool})`
              : `asked for approval of ${tool}`,
          details: [
            ...(args == null ? [] : [`arguments: ${args}`]),
            `approval ${payload.approval_id}`,
          ],
          rows: [pairs.previews.get(row)],
        })
      }
      case 'approval_decided': {
        // The row is the Worker's record of what its person decided.
        const decider = names.subjectOf(row.actor) ?? names.owner ?? row.actor
        const reason = typeof payload.reason === 'string' ? `: ${payload.reason}` : ''
        return entry(row, names.person(decider), {
          line: `${payload.decision} ${toolName(row.target ?? '')}${reason}`,
        })
      }
      case 'staff_request_decided':
        return entry(row, names.of(row.actor), {
          line: phrase(row),
          body: said === undefined ? [] : lines(said.content),
          details: recorded(row),
        })
    }
    if (row.invocation !== null) return this.call(row, pairs.calls.get(row))
    return entry(row, names.of(row.actor), { line: phrase(row), details: recorded(row) })
  }

  /** A call: the Worker's, told with the gateway's row of it, or any other caller's. */
  call(row: AuditEvent, messages: CallMessages | undefined): StoryEntry {
    const invocation = row.invocation as NonNullable<AuditEvent['invocation']>
    const gateway = this.pairs.gateway.get(row)
    const kept = gateway?.invocation ?? invocation
    const args = messages?.call?.arguments ?? compact(withoutPlumbing(kept.arguments))
    const tool = messages?.call?.tool ?? toolName(invocation.capability)
    const cost = invocation.costUsd === null ? '' : `, $${invocation.costUsd}`
    const answer = messages?.result?.content
    const within = [invocation.id, gateway?.invocation?.id].flatMap(
      (id) => this.pairs.within.get(id ?? '') ?? [],
    )
    // Told when it was first recorded: the gateway's row is written as the call returns.
    const first = gateway !== undefined && gateway.at < row.at ? gateway : row
    return entry(first, this.names.of(row.actor), {
      line: `called ${tool} ${short(args, ARGUMENTS)} (${invocation.status}, ${invocation.latencyMs} ms${cost})`,
      body: [
        ...within.map((event) => `↳ ${phrase(event)}`),
        `← ${short(answer ?? compact(kept.result), ANSWER)}`,
      ],
      details: [
        `arguments: ${args}`,
        ...(answer === undefined ? [] : ['answer:', ...lines(answer).map((l) => `  ${l}`)]),
        `${gateway === undefined ? 'recorded' : 'the gateway recorded'}: ${compact(kept.result)}`,
        ...within.flatMap(recorded),
      ],
      rows: [first === row ? gateway : row, ...within],
    })
  }

  /** A message no audit row tells: written without one (an import, a fixture) or on its own. */
  message(message: MessageEvent): StoryEntry {
    const { names } = this
    const said = (actor: string, line: string): StoryEntry => ({
      at: message.at,
      actor,
      line,
      body: lines(message.content),
      details: [],
    })
    if (message.author !== null) return said(names.person(message.author), 'wrote')
    if (message.role === 'user') return said(names.person(names.owner ?? 'unknown'), 'wrote')
    const worker = names.worker()
    if (message.itemType === 'function_call') {
      const args = message.arguments ?? ''
      return {
        ...said(worker, `called ${message.tool} ${short(args, ARGUMENTS)}`),
        body: [],
        details: [`arguments: ${args}`],
      }
    }
    if (message.itemType === 'function_call_result') {
      return {
        ...said(worker, `got the answer of ${message.tool}`),
        body: [`← ${short(message.content, ANSWER)}`],
        details: lines(message.content),
      }
    }
    const tokens =
      message.inputTokens === null && message.outputTokens === null
        ? ''
        : ` (tokens in ${message.inputTokens ?? 0}, out ${message.outputTokens ?? 0})`
    return said(worker, `replied${tokens}`)
  }
}

function entry(row: AuditEvent, actor: string, told: Told): StoryEntry {
  const rows = [row, ...(told.rows ?? [])]
    .filter((r) => r !== undefined)
    .sort((a, b) => a.id - b.id)
  return {
    at: row.at,
    actor,
    line: told.line,
    body: told.body ?? [],
    details: [
      ...(told.details ?? []),
      ...traced(row),
      `rows: ${rows.map((r) => `#${r.id} ${r.action}`).join(', ')}`,
    ],
  }
}

/** The trace a row was written in, and a call's span, to find the turn's spans by. */
function traced(row: AuditEvent): string[] {
  if (row.traceId === null) return []
  const span = row.invocation?.parentSpanId ?? null
  return [`trace ${row.traceId}${span === null ? '' : `, span ${span}`}`]
}
