import { randomUUID } from 'node:crypto'
import type { Identity } from '../../auth/identity.ts'
import { isUuid } from '../../lib/uuid.ts'
import { conversations } from '../../memory/conversations.ts'
import { runStore } from '../../memory/runs.ts'
import { refusal, unavailableTurn } from '../conclude-turn.ts'
import type { Begun } from '../gateway-session.ts'
import type { WorkerEvent } from '../worker-events.ts'
import type { TurnDeps } from './turn-deps.ts'

export interface OpenedTurn {
  conversationId: string
  /** The verified subject the gateway acts for. */
  userId: string
  begun: Begun
  /** The conversation was started by this turn. */
  fresh: boolean
  /** The person holding the conversation, when one does: the Worker does not answer then. */
  heldBy: string | null
}

/**
 * The first steps of a turn: the conversation named (or a new one), the gateway's session begun
 * for it, the conversation owned in the Worker's database, and no approval waiting in it.
 * Undefined when the turn ends here; the events say why.
 */
export async function* openTurn(
  deps: TurnDeps,
  input: { conversationId?: string | undefined; identity?: Identity | undefined },
): AsyncGenerator<WorkerEvent, OpenedTurn | undefined> {
  const conversationId = input.conversationId ?? randomUUID()
  const fresh = input.conversationId === undefined
  if (!isUuid(conversationId)) {
    yield refusal(null, 'invalid_input', 'A conversation id is a lowercase UUID.')
    return undefined
  }
  if (!fresh && !(await conversations.exists(deps.db, conversationId))) {
    yield refusal(
      conversationId,
      'not_found',
      `No conversation ${conversationId} was found for you.`,
    )
    return undefined
  }
  yield { type: 'turn_started', conversationId, resumed: false }
  const begun = await deps.begin(input.identity, conversationId)
  if ('refused' in begun) {
    yield* unavailableTurn(deps, begun, conversationId, input.identity?.sub ?? 'unknown')
    return undefined
  }
  const { userId } = begun
  // The conversation in the Worker's database (the gateway's may be another): made if missing,
  // refused if someone else's.
  const claimed = await conversations.claimForTurn(deps.db, conversationId, userId)
  if (!claimed.owned) {
    yield* unavailableTurn(deps, { refused: 'not_found', message: '' }, conversationId, userId)
    return undefined
  }
  // A run waiting for a decision comes first (only its owner gets this far).
  const waiting = fresh ? [] : await runStore.pending(deps.db, { userId, conversationId })
  if (waiting.length > 0) {
    yield refusal(
      conversationId,
      'approval_pending',
      `This conversation is waiting for a decision on ${waiting.map((w) => `${w.tool} (${w.id})`).join(', ')}: approve or reject it first.`,
    )
    yield { type: 'turn_ended', conversationId, status: 'failed', traceId: null }
    return undefined
  }
  return { conversationId, userId, begun, fresh, heldBy: claimed.heldBy }
}
