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

export interface TurnOptions {
  conversationId: string
  userId: string
  sessionHandle: string
  grounding: string[]
  traceId: string
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
  readonly results = new Map<
    string,
    { status: 'ok' | 'error' | 'timeout'; text: string; staffRequest?: string | undefined }
  >()
  /** What the conversation is about, from this turn's first call with a topic: its title if it has none. */
  topic: string | undefined

  constructor(options: TurnOptions) {
    this.context = { conversationId: options.conversationId, userId: options.userId }
    this.sessionHandle = options.sessionHandle
    this.grounding = [...options.grounding]
    this.sources = new GroundingSources(this.grounding)
    this.traceId = options.traceId
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

/**
 * A Worker's turns under way, by the run context the SDK hands its tools and guardrails: the very
 * object the turn gave the run (a resumed run gets the one passed to
 * `RunState.fromStringWithContext` with `contextStrategy: 'replace'`), so it can key its turn.
 * Held weakly, so a turn goes with its run; each Worker has its own.
 */
export class Turns {
  readonly #byContext = new WeakMap<object, TurnState>()

  /** A new turn, known to this Worker's tools by its context. */
  open(options: TurnOptions): TurnState {
    const turn = new TurnState(options)
    this.#byContext.set(turn.context, turn)
    return turn
  }

  /** The turn a run context belongs to. */
  of(context: unknown): TurnState {
    const turn =
      typeof context === 'object' && context !== null ? this.#byContext.get(context) : undefined
    if (turn === undefined) {
      throw new InternalError('internal', 'a Worker tool ran outside a Worker turn')
    }
    return turn
  }
}
