import type { TaskOutcome } from './audited-task.ts'
import type { JobTurnOutcome } from './job-turn.ts'

/**
 * What a job's turn means for the job: done, handed to a person (with the reason a person reads),
 * or worth trying again later (the model could not be reached).
 */
export function verdictOutcome(
  turn: JobTurnOutcome,
  /** Why the reply went to staff as a draft instead (a per-job limit), if it did. */
  overBudget: string | undefined,
): { retry: boolean; outcome: TaskOutcome } {
  const spent = {
    inputTokens: turn.inputTokens,
    outputTokens: turn.outputTokens,
    costUsd: turn.costUsd,
    steps: turn.steps,
  }
  const handOver = (reason: string, detail: string) => ({
    retry: false,
    outcome: { status: 'handed_over' as const, reason, detail, ...spent },
  })
  if (turn.refusedTool !== null) {
    return handOver(
      'outside_envelope',
      `the Worker tried ${turn.refusedTool}, which this trigger's envelope does not allow; it was refused and the job stopped`,
    )
  }
  if (turn.fallback === 'max_turns') {
    return handOver('step_limit', 'the job reached its step limit before it had an answer')
  }
  if (turn.fallback === 'model_unavailable') {
    return { retry: true, outcome: { status: 'done', ...spent } }
  }
  if (turn.fallback !== null) {
    return handOver(
      turn.fallback === 'grounding' ? 'ungrounded_reply' : 'turn_failed',
      turn.fallback === 'grounding'
        ? 'the reply named details no tool result backed, and was blocked'
        : 'the turn failed; nothing was sent',
    )
  }
  if (turn.status === 'paused') {
    return handOver('approval_needed', 'the Worker asked for a call that waits for a decision')
  }
  if (overBudget !== undefined) {
    const [reason, detail] = overBudget.split(': ', 2)
    return handOver(reason ?? 'token_budget', `${detail ?? overBudget}; the reply waits as a draft`)
  }
  if (turn.status === 'held') {
    return {
      retry: false,
      outcome: { status: 'done', detail: 'a person holds the conversation', ...spent },
    }
  }
  return { retry: false, outcome: { status: 'done', ...spent } }
}
