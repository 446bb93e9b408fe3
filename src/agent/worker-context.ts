import { InternalError } from '../lib/errors.ts'
import type { ActionClaim } from '../pack/action-claims.ts'
import type { ApprovalSummary } from '../protocol/approval-summary.ts'
import { actionsDone, type CallOutcome, type ClaimMatch, claimsIn } from './claimed-actions.ts'
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
  /** Actions done earlier in the turn, before it paused for approval. */
  done?: readonly string[]
  traceId: string
  /** The summaries a person said yes to, by the call id they approved: a resumed run's. */
  consents?: ReadonlyMap<string, ApprovalSummary>
}

/** What the output guardrail finds in a reply: ids nothing grounds, and claims nothing backs. */
export interface ReplyVerdict {
  ok: boolean
  ungrounded: string[]
  unbacked: ClaimMatch[]
}

/**
 * What one turn holds beside that context, in memory only: the gateway session handle (a paused
 * run stored in the database holds no credential; a resumed run gets a fresh one), what this
 * turn's tool results said and which actions its calls did (the output guardrail's sources), and
 * which calls failed.
 */
export class TurnState {
  readonly context: WorkerRunContext
  readonly sessionHandle: string
  readonly sources: GroundingSources
  /** Texts that ground a reply: the user's message and the gateway's results this turn. */
  readonly grounding: string[]
  readonly traceId: string
  /** What the person said yes to, by call id: the Worker's answer to the gateway's question. */
  readonly consents: ReadonlyMap<string, ApprovalSummary>
  /** What each gateway call of this run answered, by call id. */
  readonly results = new Map<
    string,
    { status: 'ok' | 'error' | 'timeout'; text: string; staffRequest?: string | undefined }
  >()
  /** The actions this turn's successful calls did (the pack's claims they back). */
  readonly done: Set<string>
  /** What the conversation is about, from this turn's first call with a topic: its title if it has none. */
  topic: string | undefined
  readonly #claims: readonly ActionClaim[]

  constructor(options: TurnOptions, claims: readonly ActionClaim[] = []) {
    this.context = { conversationId: options.conversationId, userId: options.userId }
    this.sessionHandle = options.sessionHandle
    this.grounding = [...options.grounding]
    this.sources = new GroundingSources(this.grounding)
    this.done = new Set(options.done)
    this.traceId = options.traceId
    this.consents = options.consents ?? new Map()
    this.#claims = claims
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

  /** A gateway call's outcome: the actions it did, if it succeeded. */
  called(call: CallOutcome): void {
    for (const action of actionsDone(call, this.#claims)) this.done.add(action)
  }

  /** The output guardrail on a reply: every id grounded, every claimed action done this turn. */
  check(text: string): ReplyVerdict {
    const { ungrounded } = this.sources.check(text)
    const unbacked = claimsIn(text, this.#claims).filter((claim) => !this.done.has(claim.action))
    return { ok: ungrounded.length === 0 && unbacked.length === 0, ungrounded, unbacked }
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
  readonly #claims: readonly ActionClaim[]

  /** `claims`: the pack's action claims, which this Worker's replies may make only when backed. */
  constructor(claims: readonly ActionClaim[]) {
    this.#claims = claims
  }

  /** A new turn, known to this Worker's tools by its context. */
  open(options: TurnOptions): TurnState {
    const turn = new TurnState(options, this.#claims)
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
