import { writeAuditThenPosition } from '../../audit/audit-writer.ts'
import { PostgresSession } from '../../memory/agent-session.ts'
import { assistantMessage } from '../conclude-turn.ts'
import { screenInput } from '../input-guardrail.ts'
import { REPLIES } from '../instructions.ts'
import type { WorkerEvent } from '../worker-events.ts'
import type { OpenedTurn } from './open-turn.ts'
import type { TurnDeps } from './turn-deps.ts'

export interface ScreenedMessage {
  /** The message as the model may see it: secrets removed. */
  text: string
  /** The conversation's memory for this turn, the user's message placed in it. */
  session: PostgresSession
}

/**
 * The user's message received and screened by the input guardrail: recorded as received (its
 * place in the log taken now, though it is written as the turn ends), refused with a reply when
 * it is too long, its secrets removed before the model or the database sees them. Undefined when
 * the turn ends here.
 */
export async function* screenMessage(
  deps: TurnDeps,
  turn: OpenedTurn,
  message: string,
): AsyncGenerator<WorkerEvent, ScreenedMessage | undefined> {
  const { conversationId, userId } = turn
  const screened = screenInput(message, deps.settings.maxInputChars)
  const session = new PostgresSession({ db: deps.db, conversationId, fresh: turn.fresh })
  session.placeUserMessage(
    await writeAuditThenPosition(deps.db, {
      action: 'message_received',
      actor: deps.actor(userId),
      conversationId,
      payload: { chars: [...message].length, redacted: screened.redacted },
    }),
  )
  if (screened.tooLong !== undefined) {
    const { chars, limit } = screened.tooLong
    await deps.audit('guardrail_tripped', conversationId, userId, {
      guardrail: 'input_size',
      chars,
      limit,
    })
    yield {
      type: 'guardrail',
      conversationId,
      guardrail: 'input_size',
      action: 'refused',
      detail: `${chars} characters; the limit is ${limit}`,
    }
    const text = REPLIES.tooLong(chars, limit)
    await session.addItems([
      { role: 'user', content: `[a message of ${chars} characters, refused: over the limit]` },
      assistantMessage(text),
    ])
    await session.commit({
      audit: [
        {
          action: 'message_sent',
          actor: deps.actor(userId),
          conversationId,
          payload: { chars: text.length, fallback: 'input_size' },
        },
      ],
    })
    yield {
      type: 'message',
      conversationId,
      text,
      usage: { inputTokens: 0, outputTokens: 0 },
      costUsd: 0,
    }
    yield { type: 'turn_ended', conversationId, status: 'completed', traceId: null }
    return undefined
  }
  if (screened.redacted.length > 0) {
    await deps.audit('guardrail_tripped', conversationId, userId, {
      guardrail: 'secrets',
      redacted: screened.redacted,
    })
    yield {
      type: 'guardrail',
      conversationId,
      guardrail: 'secrets',
      action: 'redacted',
      detail: `removed before the model or the database saw it: ${screened.redacted.join(', ').replaceAll('_', ' ')}`,
    }
  }
  return { text: screened.text, session }
}
