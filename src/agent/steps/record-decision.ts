import type { Identity } from '../../auth/identity.ts'
import { isUuid } from '../../lib/uuid.ts'
import { runStore } from '../../memory/runs.ts'
import { refusal } from '../conclude-turn.ts'
import type { Begun } from '../gateway-session.ts'
import { REPLIES } from '../instructions.ts'
import type { WorkerEvent } from '../worker-events.ts'
import type { TurnDeps } from './turn-deps.ts'

/** Why an approval without a summary cannot be approved. */
export const SUMMARY_UNAVAILABLE =
  'The server could not say what this request would do (its summary is unavailable), so it ' +
  'cannot be approved. Reject it; the Worker can ask again.'

export interface RecordedDecision {
  conversationId: string
  userId: string
  begun: Begun
  runId: string
  /** Approvals of the run still waiting for a decision. */
  waiting: number
}

/**
 * A person's decision on a waiting approval: theirs only (the gateway's session names who they
 * are), recorded and audited once; an approval nobody could summarise can only be rejected.
 * Undefined when nothing was recorded; the events say why.
 */
export async function* recordDecision(
  deps: TurnDeps,
  input: {
    approvalId: string
    decision: 'approved' | 'rejected'
    reason?: string | undefined
    identity?: Identity | undefined
  },
): AsyncGenerator<WorkerEvent, RecordedDecision | undefined> {
  const missing = `No approval ${input.approvalId} is waiting for you.`
  if (!isUuid(input.approvalId)) {
    yield refusal(null, 'not_found', missing)
    return undefined
  }
  const conversationId = await runStore.conversationOf(deps.db, input.approvalId)
  const begun =
    conversationId === undefined ? undefined : await deps.begin(input.identity, conversationId)
  if (conversationId === undefined || begun === undefined || 'refused' in begun) {
    if (begun !== undefined && 'refused' in begun && begun.refused === 'gateway') {
      yield refusal(conversationId ?? null, 'gateway_unavailable', REPLIES.gatewayDown)
      return undefined
    }
    yield refusal(conversationId ?? null, 'not_found', missing)
    return undefined
  }
  const { userId } = begun
  const recorded = await runStore.decide(deps.db, {
    approvalId: input.approvalId,
    userId,
    decision: input.decision,
    by: userId,
    reason: input.reason,
  })
  if (recorded === undefined) {
    yield refusal(conversationId, 'not_found', missing)
    return undefined
  }
  if (recorded === 'undescribed') {
    yield refusal(conversationId, 'summary_unavailable', SUMMARY_UNAVAILABLE)
    return undefined
  }
  await deps.audit(
    'approval_decided',
    conversationId,
    userId,
    { approval_id: input.approvalId, decision: input.decision, reason: input.reason ?? null },
    `mcp:${recorded.tool}`,
  )
  yield {
    type: 'approval_recorded',
    conversationId,
    approvalId: input.approvalId,
    tool: recorded.tool,
    summary: recorded.summary,
    decision: input.decision,
    waiting: recorded.waiting,
  }
  return { conversationId, userId, begun, runId: recorded.runId, waiting: recorded.waiting }
}
