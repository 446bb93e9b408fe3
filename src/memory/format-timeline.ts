import type { Timeline } from './timeline.ts'
import { ActorNames, type KnownPeople } from './timeline-actors.ts'
import { type StoryEntry, tellStory } from './timeline-story.ts'

export interface FormatOptions {
  /** Names (and roles) of the people the timeline mentions, by subject. */
  people: KnownPeople
  /** Skill bodies, whole arguments and answers, and the rows behind each entry. */
  verbose?: boolean | undefined
}

/** Where an entry's text starts: after `HH:MM:SS` and two spaces. */
const INDENT = ' '.repeat(10)
/** Names longer than this push their line's text along rather than every line's. */
const MAX_ACTOR = 40

/**
 * The timeline for people, as a story: one line per happening (time, who, what), what was said
 * beneath it, and with `verbose` what lies behind it. Times are UTC; a new day gets its own line.
 */
export function formatTimeline(
  conversationId: string,
  timeline: Timeline,
  options: FormatOptions,
): string {
  const entries = tellStory(timeline, options.people)
  const c = timeline.conversation
  const who = new ActorNames(timeline, options.people)
  const lines =
    c === null
      ? [`Conversation ${conversationId} (no conversation row; audit trail only)`]
      : [
          `Conversation ${c.id} with ${who.person(c.userId)}`,
          `started ${stamp(c.startedAt)} UTC${c.endedAt === null ? '' : `, ended ${stamp(c.endedAt)} UTC`}`,
        ]
  lines.push(
    `${entries.length} entries` +
      (options.verbose === true ? '' : ' (--verbose shows skill bodies and whole tool calls)'),
  )
  const width = Math.min(MAX_ACTOR, Math.max(0, ...entries.map((e) => e.actor.length)))
  let day = c === null ? '' : stamp(c.startedAt).slice(0, 10)
  let spaced = true
  for (const entry of entries) {
    const shown = formatEntry(entry, width, options.verbose === true)
    const today = stamp(entry.at).slice(0, 10)
    if (today !== day) lines.push('', today)
    // One-line entries run together; an entry with lines beneath it stands apart.
    if (spaced || shown.length > 1 || today !== day) lines.push('')
    spaced = shown.length > 1
    day = today
    lines.push(...shown)
  }
  if (c?.summary) lines.push('', `Summary: ${c.summary}`)
  return `${lines.join('\n')}\n`
}

function formatEntry(entry: StoryEntry, width: number, verbose: boolean): string[] {
  const time = stamp(entry.at).slice(11)
  return [
    `${time}  ${entry.actor.padEnd(width)}  ${entry.line}`,
    ...entry.body.map((line) => `${INDENT}${line}`.trimEnd()),
    ...(verbose ? entry.details.map((line) => `${INDENT}| ${line}`.trimEnd()) : []),
  ]
}

/** `2026-12-05 08:04:13`, in UTC. */
function stamp(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ')
}
