import { SystemError } from '../../lib/errors.ts'
import type { ChannelRecord } from '../../pack/jobs-contract.ts'
import type { Queryable } from '../../store/database.ts'
import type { TaskOutcome, TaskRun } from '../audited-task.ts'
import type { Envelope } from '../envelope.ts'
import { jobIdentity } from '../job-turn.ts'
import { verdictOutcome } from '../turn-verdict.ts'
import type { AnswerDeps } from './answer-email.ts'
import { queueReply } from './queue-reply.ts'
import type { Thread } from './threads.ts'

/** Why a job went to a person when the Worker has no model. */
export const NO_MODEL = 'no model is configured (LLM_PROVIDER, LLM_API_KEY): a person answers'

/**
 * One job's turn, answered by email: the Worker acting for `record` under `envelope`, its reply
 * written to the outbox in the reply's own transaction (a draft when a per-job limit was passed,
 * or the envelope drafts), and what the run came to. A turn cut short by a stopping server, or a
 * model that could not be reached, fails the attempt so the job runs again later.
 */
export async function emailTurn(
  deps: AnswerDeps,
  run: TaskRun,
  turn: {
    envelope: Envelope
    record: ChannelRecord
    thread: Thread
    message: string
    /** The email answered (null: the reply starts the thread), its id and subject. */
    answers: { inboundId: string; messageId: string } | null
    subject: string
    /** More work for the reply's transaction (the email marked answered). */
    withReply?: (tx: Queryable) => Promise<void>
  },
): Promise<TaskOutcome> {
  const { envelope, thread } = turn
  const conversationId = thread.conversationId
  if (deps.runTurn === undefined) {
    return { status: 'handed_over', reason: 'no_model', detail: NO_MODEL, conversationId }
  }
  let overBudget: string | undefined
  let wrote = false
  const outcome = await deps.runTurn({
    message: cut(turn.message, deps.maxMessageChars),
    conversationId,
    identity: jobIdentity(turn.record, envelope, deps.tools),
    maxTurns: envelope.maxSteps,
    signal: run.job.signal,
    withReply: async (tx, reply) => {
      if (reply.fallback !== null) return
      overBudget = overJobBudget(envelope, reply.inputTokens + reply.outputTokens, reply.costUsd)
      await queueReply(tx, {
        conversationId,
        inboundId: turn.answers?.inboundId ?? null,
        thread,
        to: turn.record.address,
        inReplyTo: turn.answers?.messageId ?? null,
        subject: turn.subject,
        text: reply.text,
        from: deps.from,
        mode: overBudget !== undefined ? 'draft' : envelope.replies,
        reason: overBudget ?? (envelope.replies === 'draft' ? 'envelope' : null),
        sending: deps.sending,
        trigger: run.trigger,
      })
      await turn.withReply?.(tx)
      wrote = true
    },
  })
  // The server is stopping and the turn was cut short before its reply: it runs again later.
  if (run.job.signal.aborted && !wrote) {
    throw new SystemError('interrupted', 'the server stopped during the job; it runs again')
  }
  const verdict = verdictOutcome(outcome, overBudget)
  if (verdict.retry) {
    throw new SystemError('model_unavailable', 'the model could not be reached; trying again later')
  }
  if (verdict.outcome.status === 'done' && !wrote && outcome.status !== 'held') {
    // The turn ended without a reply to send: the gateway was down (worth another try), or the
    // Worker refused the message. Never silently: a person sees it.
    if (outcome.error === 'gateway_unavailable') {
      throw new SystemError(
        'gateway_unavailable',
        'the gateway could not be reached; trying again later',
      )
    }
    return {
      ...verdict.outcome,
      status: 'handed_over',
      reason: 'no_reply',
      detail: `the Worker stored no reply to send${outcome.error === null ? '' : ` (${outcome.error})`}`,
      conversationId,
    }
  }
  return { ...verdict.outcome, conversationId }
}

/** Over the envelope's per-job limits: the reason (`code: words`), or undefined. */
function overJobBudget(envelope: Envelope, tokens: number, usd: number | null): string | undefined {
  if (tokens > envelope.tokensPerJob) {
    return `token_budget: the reply took ${tokens} tokens; this job may use ${envelope.tokensPerJob}`
  }
  if (envelope.usdPerJob !== undefined && usd !== null && usd > envelope.usdPerJob) {
    return `cost_budget: the reply cost $${usd.toFixed(4)}; this job may spend $${envelope.usdPerJob}`
  }
  return undefined
}

/** A message the Worker accepts: at most `max` characters, saying what was cut. */
function cut(message: string, max: number): string {
  if (message.length <= max) return message
  const note = `\n[… ${message.length - max + 60} more characters of the email were cut here]`
  return message.slice(0, Math.max(0, max - note.length)) + note
}
