import {
  type Agent,
  generateTraceId,
  RunContext,
  RunState,
  Usage,
  type UsageInput,
} from '@openai/agents'
import { errorMessage } from '../../lib/errors.ts'
import { PostgresSession } from '../../memory/agent-session.ts'
import { runStore } from '../../memory/runs.ts'
import { concludeTurn } from '../conclude-turn.ts'
import { type RunOutcome, runSegment } from '../turn.ts'
import type { WorkerRunContext } from '../worker-context.ts'
import type { WorkerEvent } from '../worker-events.ts'
import type { RecordedDecision } from './record-decision.ts'
import type { TurnDeps } from './turn-deps.ts'

/**
 * A run whose approvals are all decided, resumed: taken by one caller only, its stored state
 * restored with each decision applied (a rejection tells the model not to try again), run to its
 * end, marked finished or failed, and concluded like any turn.
 */
export async function* resumeRun(
  deps: TurnDeps,
  decided: RecordedDecision,
  signal: AbortSignal | undefined,
): AsyncGenerator<WorkerEvent> {
  const { conversationId, userId, begun } = decided
  const claimed = await runStore.claim(deps.db, decided.runId)
  if (claimed === undefined) return
  yield { type: 'turn_started', conversationId, resumed: true }
  const traceId = generateTraceId()
  const context = deps.turns.open({
    conversationId,
    userId,
    sessionHandle: begun.handle,
    grounding: claimed.grounding,
    done: claimed.done,
    traceId,
    consents: new Map(
      claimed.decisions.flatMap((d) =>
        d.decision === 'approved' && d.summary !== null ? [[d.callId, d.summary] as const] : [],
      ),
    ),
  })
  const agent = await deps.agentFor(begun)
  let outcome: RunOutcome
  const session = new PostgresSession({ db: deps.db, conversationId })
  try {
    // Our own context replaces the stored one, and with it the usage the run had before it
    // paused: carried over, so the reply's tokens (and cost) are the whole run's.
    const resumed = new RunContext(context.context)
    resumed.usage = new Usage(
      (JSON.parse(claimed.state) as { context?: { usage?: UsageInput } }).context?.usage,
    )
    const state = await RunState.fromStringWithContext<WorkerRunContext, Agent<WorkerRunContext>>(
      agent,
      claimed.state,
      resumed,
      { contextStrategy: 'replace' },
    )
    for (const item of state.getInterruptions()) {
      const callId = (item.rawItem as { callId?: string }).callId
      const decision = claimed.decisions.find((d) => d.callId === callId)
      if (decision?.decision === 'approved') {
        state.approve(item)
      } else {
        state.reject(item, {
          message:
            `A person rejected this call${decision?.reason ? ` (${decision.reason})` : ''}, so it ` +
            'was not done. Tell the user, and offer another way; do not try it again.',
        })
      }
    }
    outcome = yield* runSegment(deps.runnerFor(conversationId, traceId), agent, state, context, {
      session,
      maxTurns: deps.settings.maxTurns,
      signal,
    })
  } catch (error) {
    outcome = {
      kind: 'fallback',
      reason: 'failed',
      detail: errorMessage(error),
      ungrounded: [],
      unbacked: [],
      inputTokens: 0,
      outputTokens: 0,
    }
  }
  await runStore.finish(deps.db, claimed.id, outcome.kind === 'fallback' ? 'failed' : 'finished')
  yield* concludeTurn(deps, outcome, context, session, begun.server)
}
