import { generateTraceId } from '@openai/agents'
import { concludeTurn } from '../conclude-turn.ts'
import { runSegment } from '../turn.ts'
import type { SendInput } from '../worker.ts'
import type { WorkerEvent } from '../worker-events.ts'
import type { OpenedTurn } from './open-turn.ts'
import type { ScreenedMessage } from './screen-message.ts'
import type { TurnDeps } from './turn-deps.ts'

/** The agent run on the screened message, then the turn concluded: replied, or paused. */
export async function* runTurn(
  deps: TurnDeps,
  turn: OpenedTurn,
  message: ScreenedMessage,
  input: Pick<SendInput, 'signal' | 'maxTurns' | 'withReply'>,
): AsyncGenerator<WorkerEvent> {
  const { conversationId, userId, begun } = turn
  const traceId = generateTraceId()
  const context = deps.turns.open({
    conversationId,
    userId,
    sessionHandle: begun.handle,
    grounding: [message.text],
    traceId,
  })
  const agent = await deps.agentFor(begun)
  const outcome = yield* runSegment(
    deps.runnerFor(conversationId, traceId),
    agent,
    message.text,
    context,
    {
      session: message.session,
      maxTurns: input.maxTurns ?? deps.settings.maxTurns,
      signal: input.signal,
    },
  )
  yield* concludeTurn(deps, outcome, context, message.session, begun.server, input.withReply)
}
