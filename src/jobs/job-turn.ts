import { type Identity, JOB_SUBJECT_PREFIX } from '../auth/identity.ts'
import type { ChannelRecord } from '../pack/jobs-contract.ts'
import { requiredScope, type ToolDefinition } from '../pack/tool-definition.ts'
import type { Queryable } from '../store/database.ts'
import type { Envelope } from './envelope.ts'

/** The reply a job's turn stored, and what the turn spent. */
export interface JobReply {
  text: string
  /** Why the Worker wrote it itself (`max_turns`, …); null for the model's reply. */
  fallback: string | null
  inputTokens: number
  outputTokens: number
  costUsd: number | null
}

export interface JobTurnInput {
  message: string
  conversationId: string
  identity: Identity
  /** The envelope's step limit: model calls in the turn. */
  maxTurns: number
  signal: AbortSignal
  /** Runs in the reply's own transaction (the outbox row), only when a reply is stored. */
  withReply(tx: Queryable, reply: JobReply): Promise<void>
}

/** How a job's turn went. */
export interface JobTurnOutcome {
  /** `completed`, `failed` (a fallback reply), `paused` (waits for an approval), `held` (a person holds it). */
  status: string
  /** The fallback's reason when the Worker wrote the reply itself. */
  fallback: string | null
  /** The first call the envelope left out: the turn was stopped there. */
  refusedTool: string | null
  /** A reply was stored (the model's or a fallback). */
  stored: boolean
  /** The code of the turn's error, if it reported one (`gateway_unavailable`, `input_too_long`, …). */
  error: string | null
  /** Gateway calls made. */
  steps: number
  inputTokens: number
  outputTokens: number
  costUsd: number | null
}

/**
 * The Worker, as jobs use it: one turn in a conversation as a job's identity, with the same
 * harness, gateway, skills, guardrails and memory as a chat turn (the composition root passes it).
 */
export type TurnRunner = (input: JobTurnInput) => Promise<JobTurnOutcome>

/** The subject a job acting for `record` uses: its conversations are that record's. */
export function jobSubject(record: ChannelRecord): string {
  return `${JOB_SUBJECT_PREFIX}${record.key}`
}

/**
 * Who a job is to the gateway: a service identity acting for the record its channel matched, with
 * no verified email, and with exactly the scopes its envelope's tools need and the tools
 * themselves, so the gateway refuses anything else whatever a message asks.
 */
export function jobIdentity(
  record: ChannelRecord,
  envelope: Envelope,
  tools: readonly ToolDefinition[],
): Identity {
  const scopes = new Set(['read'])
  for (const tool of tools) {
    if (envelope.tools.includes(tool.name)) scopes.add(requiredScope(tool))
  }
  scopes.delete('staff')
  return {
    sub: jobSubject(record),
    role: 'customer',
    scopes: [...scopes],
    ...(record.name === null ? {} : { name: record.name }),
    envelope: { trigger: envelope.trigger, tools: envelope.tools },
    actsFor: record.key,
  }
}
