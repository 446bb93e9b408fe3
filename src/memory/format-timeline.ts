import type { Json } from '../lib/json.ts'
import type { Timeline, TimelineEvent } from './timeline.ts'

/** The timeline for people: one line per event, message text indented beneath its line. */
export function formatTimeline(conversationId: string, timeline: Timeline): string {
  const c = timeline.conversation
  const header =
    c === null
      ? `Conversation ${conversationId} (no conversation row; audit trail only)`
      : `Conversation ${c.id} · user ${c.userId} · started ${iso(c.startedAt)}` +
        (c.endedAt === null ? '' : ` · ended ${iso(c.endedAt)}`)
  const lines = [header, `${timeline.events.length} events`, '']
  for (const event of timeline.events) lines.push(...formatEvent(event))
  if (c?.summary) lines.push('', `Summary: ${c.summary}`)
  return `${lines.join('\n')}\n`
}

function formatEvent(event: TimelineEvent): string[] {
  const at = iso(event.at)
  if (event.kind === 'message') {
    const tokens =
      event.inputTokens === null && event.outputTokens === null
        ? ''
        : `  (tokens in ${event.inputTokens ?? 0}, out ${event.outputTokens ?? 0})`
    const who = event.author === null ? event.role : `person ${event.author}`
    return [`${at}  message  ${who}${tokens}`, ...indent(event.content)]
  }
  const parts = [`${at}  audit    ${event.action}`]
  if (event.target !== null) parts.push(event.target)
  const inv = event.invocation
  if (inv !== null) {
    parts.push(`${inv.status}`, `${inv.latencyMs} ms`)
    if (inv.costUsd !== null) parts.push(`$${inv.costUsd}`)
  }
  parts.push(`by ${event.actor}`)
  const details: string[] = []
  if (inv !== null) {
    details.push(`arguments: ${compact(inv.arguments)}`, `result: ${compact(inv.result)}`)
  } else {
    if (!isEmpty(event.payload)) details.push(`payload: ${compact(event.payload)}`)
    if (event.result !== null) details.push(`result: ${compact(event.result)}`)
  }
  return [parts.join('  '), ...details.flatMap(indent)]
}

function indent(text: string): string[] {
  return text.split('\n').map((line) => `    ${line}`)
}

function compact(value: Json): string {
  const text = JSON.stringify(value)
  return text.length > 500 ? `${text.slice(0, 497)}...` : text
}

function isEmpty(value: Json): boolean {
  return value === null || (typeof value === 'object' && Object.keys(value).length === 0)
}

function iso(date: Date): string {
  return date.toISOString()
}
