import type { EnvelopeDefaults } from '../pack/jobs-contract.ts'

/**
 * The limits a person declared for the jobs of one trigger. Nothing outside them runs: the job's
 * identity carries the tools and the gateway refuses the rest; a job that reaches a limit stops and
 * goes to a person with the reason.
 */
export interface Envelope {
  /** `email`, `webhook:<kind>` or `schedule:<name>`. */
  trigger: string
  tools: readonly string[]
  /** `send`: replies go out; `draft`: each waits in the staff inbox for a person to send it. */
  replies: 'draft' | 'send'
  /** Model calls per job. */
  maxSteps: number
  tokensPerJob: number
  tokensPerDay: number
  /** USD limits, counted when the model has a price; undefined: none. */
  usdPerJob: number | undefined
  usdPerDay: number | undefined
}

/** What the envelope file may say of a trigger: any field, over the pack's defaults. */
export type EnvelopeOverride = Partial<Omit<Envelope, 'trigger'>>

export const ENVELOPE_DEFAULTS = {
  maxSteps: 8,
  tokensPerJob: 60_000,
  tokensPerDay: 3_000_000,
} as const

/**
 * The envelope of `trigger`: the pack's defaults, then the operator's file. A trigger neither
 * declares has none, and its jobs do not run (fail closed). Replies are drafted unless the file or
 * JOBS_REPLIES says send: a new installation drafts.
 */
export function envelopeFor(
  trigger: string,
  sources: {
    pack: Readonly<Record<string, EnvelopeDefaults>>
    file: Readonly<Record<string, EnvelopeOverride>>
    replies: 'draft' | 'send'
  },
): Envelope | undefined {
  const declared = sources.pack[trigger] ?? sources.pack[familyOf(trigger)]
  const override = sources.file[trigger] ?? sources.file[familyOf(trigger)]
  if (declared === undefined && override?.tools === undefined) return undefined
  return {
    trigger,
    tools: override?.tools ?? declared?.tools ?? [],
    replies: override?.replies ?? sources.replies,
    maxSteps: override?.maxSteps ?? declared?.maxSteps ?? ENVELOPE_DEFAULTS.maxSteps,
    tokensPerJob:
      override?.tokensPerJob ?? declared?.tokensPerJob ?? ENVELOPE_DEFAULTS.tokensPerJob,
    tokensPerDay:
      override?.tokensPerDay ?? declared?.tokensPerDay ?? ENVELOPE_DEFAULTS.tokensPerDay,
    usdPerJob: override?.usdPerJob ?? declared?.usdPerJob,
    usdPerDay: override?.usdPerDay ?? declared?.usdPerDay,
  }
}

/** `webhook:<kind>` falls back to `webhook`, `schedule:<name>` to `schedule`. */
function familyOf(trigger: string): string {
  return trigger.split(':')[0] ?? trigger
}

/**
 * An email's sender is never a verified identity: whatever an envelope lists, an email job may
 * call only tools that read. What it leaves out is named, so the server can say so at start-up.
 */
export function readingOnly(
  envelope: Envelope,
  tools: ReadonlyArray<{ name: string; annotations: { readOnlyHint: boolean } }>,
): { envelope: Envelope; removed: string[] } {
  const reads = new Set(tools.filter((t) => t.annotations.readOnlyHint).map((t) => t.name))
  const kept = envelope.tools.filter((name) => reads.has(name))
  return {
    envelope: { ...envelope, tools: kept },
    removed: envelope.tools.filter((name) => !reads.has(name)),
  }
}
