import { InternalError } from '../lib/errors.ts'
import { GroundingSources } from './grounding.ts'
import type { SkillToolContext } from './skill-tools.ts'

/**
 * The context the Agents SDK carries through a run, and serialises into a paused run's state: a
 * plain record of the conversation and whose it is. Nothing secret goes in it.
 */
export interface WorkerRunContext extends SkillToolContext {
  conversationId: string
  userId: string
}

/**
 * What one turn holds beside that context, in memory only: the gateway session handle (a paused
 * run stored in the database holds no credential; a resumed run gets a fresh one), what this
 * turn's tool results said (the output guardrail's sources), and which calls failed.
 */
export class TurnState {
  readonly context: WorkerRunContext
  readonly sessionHandle: string
  readonly sources: GroundingSources
  /** Texts that ground a reply: the user's message and the gateway's results this turn. */
  readonly grounding: string[]
  readonly traceId: string
  /** What each gateway call of this run answered, by call id. */
  readonly results = new Map<string, { status: 'ok' | 'error' | 'timeout'; text: string }>()

  constructor(options: {
    conversationId: string
    userId: string
    sessionHandle: string
    grounding: string[]
    traceId: string
  }) {
    this.context = { conversationId: options.conversationId, userId: options.userId }
    this.sessionHandle = options.sessionHandle
    this.grounding = [...options.grounding]
    this.sources = new GroundingSources(this.grounding)
    this.traceId = options.traceId
    turns.set(this.context, this)
  }

  get conversationId(): string {
    return this.context.conversationId
  }

  get userId(): string {
    return this.context.userId
  }

  ground(text: string): void {
    this.grounding.push(text)
    this.sources.add(text)
  }
}

const turns = new WeakMap<object, TurnState>()

/** The turn a run context belongs to. */
export function turnOf(context: unknown): TurnState {
  const turn = typeof context === 'object' && context !== null ? turns.get(context) : undefined
  if (turn === undefined) {
    throw new InternalError('internal', 'a Worker tool ran outside a Worker turn')
  }
  return turn
}
