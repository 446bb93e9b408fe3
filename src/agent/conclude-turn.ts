import type { MCPServer } from '@openai/agents'
import type { AuditAction } from '../audit/audit-actions.ts'
import type { AuditEntry } from '../audit/audit-writer.ts'
import type { JsonObject } from '../lib/json.ts'
import type { Logger } from '../lib/logger.ts'
import type { PostgresSession } from '../memory/agent-session.ts'
import { runStore } from '../memory/runs.ts'
import { w3cTraceId } from '../protocol/trace-context.ts'
import type { Database } from '../store/database.ts'
import { previewApproval } from './approval-preview.ts'
import type { Refused } from './gateway-session.ts'
import { REPLIES } from './instructions.ts'
import type { WorkerModel } from './model-factory.ts'
import { costOf, type ModelPrice } from './model-prices.ts'
import type { SpanRecorder } from './span-recorder.ts'
import type { RunOutcome } from './turn.ts'
import type { SendInput } from './worker.ts'
import type { TurnState } from './worker-context.ts'
import type { WorkerEvent } from './worker-events.ts'

/** What ending a turn needs: where to write, what the model costs, how to audit. */
export interface TurnEnding {
  db: Database
  logger: Logger
  model: WorkerModel
  price: ModelPrice | undefined
  /** The longest a gateway call (an approval's preview) may take. */
  toolTimeoutMs: number
  /** Where the turn's spans were kept, to be written with its other rows. */
  spans: Pick<SpanRecorder, 'take'>
  /** The audit actor for a user's turn. */
  actor(userId: string): string
  /** Appends the Worker's audit row; `traceId`: the Agents SDK's id of the turn it belongs to. */
  audit(
    action: AuditAction,
    conversationId: string,
    userId: string,
    payload: JsonObject,
    target?: string,
    traceId?: string,
  ): Promise<number>
}

/**
 * Ends a run segment: the reply (or the fallback) sent and audited, or the pause stored with the
 * gateway's summary of each call waiting for approval (asked of `gateway`, the turn's connection).
 */
export async function* concludeTurn(
  deps: TurnEnding,
  outcome: RunOutcome,
  context: TurnState,
  session: PostgresSession,
  gateway: MCPServer,
  withReply?: SendInput['withReply'],
): AsyncGenerator<WorkerEvent> {
  const { conversationId, userId } = context
  const traceId = context.traceId
  const spans = traceId === null ? [] : deps.spans.take(traceId)
  const tokens = { inputTokens: outcome.inputTokens, outputTokens: outcome.outputTokens }
  const entry = (action: AuditAction, payload: JsonObject): AuditEntry => ({
    action,
    actor: deps.actor(userId),
    conversationId,
    payload,
    traceId: w3cTraceId(traceId),
  })
  if (outcome.kind === 'paused') {
    await session.commit({ spans, title: context.topic })
    const calls = []
    for (const call of outcome.interruptions) {
      const summary = await previewApproval(gateway, context, call, deps.toolTimeoutMs)
      calls.push({ ...call, summary })
    }
    const approvals = await runStore.pause(deps.db, {
      conversationId,
      userId,
      state: outcome.state,
      grounding: context.grounding,
      done: [...context.done],
      traceId: context.traceId,
      calls,
    })
    for (const pending of approvals) {
      await deps.audit(
        'approval_requested',
        conversationId,
        userId,
        { approval_id: pending.id, call_id: pending.callId },
        `mcp:${pending.tool}`,
        traceId,
      )
      yield {
        type: 'approval_requested',
        conversationId,
        approvalId: pending.id,
        tool: pending.tool,
        arguments: pending.arguments,
        summary: pending.summary,
      }
    }
    yield { type: 'turn_ended', conversationId, status: 'paused', traceId }
    return
  }
  let text: string
  const audit: AuditEntry[] = []
  if (outcome.kind === 'reply') {
    text = outcome.text
  } else {
    text = outcome.reason === 'grounding' ? REPLIES.grounding : fallbackReply(outcome.reason)
    if (outcome.reason === 'grounding') {
      const { ungrounded, unbacked } = outcome
      audit.push(
        entry('guardrail_tripped', {
          guardrail: 'grounding',
          // Why, first: an action claimed but not done is the graver of the two.
          reason: unbacked.length > 0 ? 'unbacked_claim' : 'ungrounded',
          ungrounded: ungrounded.slice(0, 20),
          ...(unbacked.length > 0
            ? { unbacked: unbacked.slice(0, 20).map((c) => ({ action: c.action, said: c.said })) }
            : {}),
        }),
      )
      const details = [
        ...(ungrounded.length > 0
          ? [`the reply named ${ungrounded.join(', ')}, which no tool result of this turn contains`]
          : []),
        ...unbacked.map(
          (c) =>
            `the reply said "${c.said}" (${c.action}), which no successful call of this turn did`,
        ),
      ]
      yield {
        type: 'guardrail',
        conversationId,
        guardrail: 'grounding',
        action: 'blocked',
        detail: details.join('; '),
      }
    } else {
      deps.logger.warn(
        { conversationId, reason: outcome.reason, detail: outcome.detail },
        'turn failed',
      )
      yield { type: 'error', conversationId, code: outcome.reason, message: outcome.detail }
      await session.addItems([assistantMessage(text)])
    }
  }
  const costUsd = costOf(deps.price, tokens.inputTokens, tokens.outputTokens) ?? null
  audit.push(
    entry('message_sent', {
      chars: text.length,
      input_tokens: tokens.inputTokens,
      output_tokens: tokens.outputTokens,
      cost_usd: costUsd,
      model: deps.model.name,
      provider: deps.model.provider,
      ...(outcome.kind === 'fallback' ? { fallback: outcome.reason } : {}),
    }),
  )
  // The turn's messages, its closing audit rows and its spans: one write, and no reply when a
  // person took the conversation over meanwhile.
  const heldBy = await session.commit({
    audit,
    spans,
    reply: { actor: deps.actor(userId) },
    title: context.topic,
    withReply:
      withReply === undefined
        ? undefined
        : (tx) =>
            withReply(tx, {
              text,
              fallback: outcome.kind === 'fallback' ? outcome.reason : null,
              ...tokens,
              costUsd,
            }),
  })
  if (heldBy !== undefined) {
    yield { type: 'held', conversationId, by: heldBy }
    yield { type: 'turn_ended', conversationId, status: 'held', traceId }
    return
  }
  yield { type: 'message', conversationId, text, usage: tokens, costUsd }
  const failed = outcome.kind === 'fallback' && outcome.reason !== 'grounding'
  yield { type: 'turn_ended', conversationId, status: failed ? 'failed' : 'completed', traceId }
}

/** A turn that cannot reach the gateway, or a conversation that is not the caller's. */
export async function* unavailableTurn(
  deps: TurnEnding,
  refused: Refused,
  conversationId: string,
  userId: string,
): AsyncGenerator<WorkerEvent> {
  if (refused.refused === 'not_found') {
    yield refusal(
      conversationId,
      'not_found',
      `No conversation ${conversationId} was found for you.`,
    )
    yield { type: 'turn_ended', conversationId, status: 'failed', traceId: null }
    return
  }
  deps.logger.warn({ conversationId, err: refused.message }, 'the gateway is unavailable')
  // The conversation may not exist anywhere yet: the audit rows alone record the attempt.
  await deps
    .audit('message_received', conversationId, userId, { gateway: 'unavailable' })
    .catch(() => {})
  await deps
    .audit('message_sent', conversationId, userId, { fallback: 'gateway_unavailable' })
    .catch(() => {})
  yield { type: 'error', conversationId, code: 'gateway_unavailable', message: refused.message }
  yield {
    type: 'message',
    conversationId,
    text: REPLIES.gatewayDown,
    usage: { inputTokens: 0, outputTokens: 0 },
    costUsd: 0,
  }
  yield { type: 'turn_ended', conversationId, status: 'failed', traceId: null }
}

export function refusal(conversationId: string | null, code: string, message: string): WorkerEvent {
  return { type: 'error', conversationId, code, message }
}

function fallbackReply(reason: 'model_unavailable' | 'max_turns' | 'failed'): string {
  return reason === 'model_unavailable'
    ? REPLIES.modelDown
    : reason === 'max_turns'
      ? REPLIES.maxTurns
      : REPLIES.failed
}

export function assistantMessage(text: string) {
  return {
    type: 'message' as const,
    role: 'assistant' as const,
    status: 'completed' as const,
    content: [{ type: 'output_text' as const, text }],
  }
}
