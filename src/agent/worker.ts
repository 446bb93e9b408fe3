import { randomUUID } from 'node:crypto'
import { type Agent, generateTraceId, RunContext, Runner, RunState } from '@openai/agents'
import { recordInvocation, writeAudit, writeAuditThenPosition } from '../audit/audit-writer.ts'
import type { Identity } from '../auth/identity.ts'
import type { WorkerConfig } from '../config/sections/worker.ts'
import { errorMessage } from '../lib/errors.ts'
import type { JsonObject } from '../lib/json.ts'
import type { Logger } from '../lib/logger.ts'
import { isUuid } from '../lib/uuid.ts'
import { PostgresSession } from '../memory/agent-session.ts'
import { conversations } from '../memory/conversations.ts'
import { type PendingApproval, runStore } from '../memory/runs.ts'
import type { SkillRuntime } from '../skills/skill-runtime.ts'
import type { Database } from '../store/database.ts'
import {
  assistantMessage,
  concludeTurn,
  refusal,
  type TurnEnding,
  unavailableTurn,
} from './conclude-turn.ts'
import type { GatewayAccess } from './gateway-access.ts'
import { type Begun, beginSession, type Refused } from './gateway-session.ts'
import type { GatewayCall } from './gateway-tools.ts'
import { screenInput } from './input-guardrail.ts'
import { REPLIES } from './instructions.ts'
import type { WorkerModel } from './model-factory.ts'
import { type ModelPrice, priceOf } from './model-prices.ts'
import { spanRecorder } from './span-recorder.ts'
import { type RunOutcome, runSegment } from './turn.ts'
import { agentFactory } from './worker-agent.ts'
import { TurnState, type WorkerRunContext } from './worker-context.ts'
import type { WorkerEvent } from './worker-events.ts'

export interface WorkerOptions {
  /** The Worker's own pool: memory, paused runs and the agent-side audit. */
  db: Database
  model: WorkerModel
  gateway: GatewayAccess
  skills?: SkillRuntime | undefined
  settings: Pick<WorkerConfig, 'maxTurns' | 'parallelToolCalls' | 'toolTimeoutMs' | 'maxInputChars'>
  /** Gateway tools that wait for a person's approval. */
  approvalTools: readonly string[]
  /** USD per million tokens when set (LLM_PRICE_*); else the price table's. */
  price?: ModelPrice | undefined
  logger: Logger
}

export interface SendInput {
  message: string
  /** Resume this conversation; unset: a new one. */
  conversationId?: string | undefined
  /** Who is asking (in-process gateways); stdio and HTTP gateways know it from their transport. */
  identity?: Identity | undefined
  signal?: AbortSignal | undefined
}

export interface DecideInput {
  approvalId: string
  decision: 'approved' | 'rejected'
  reason?: string | undefined
  identity?: Identity | undefined
  signal?: AbortSignal | undefined
}

export interface Worker {
  /** One user message → the events of its turn, ending with `turn_ended`. */
  send(input: SendInput): AsyncGenerator<WorkerEvent>
  /** A decision on a waiting approval; when the run has none left waiting, it resumes here. */
  decide(input: DecideInput): AsyncGenerator<WorkerEvent>
  pending(where: { userId: string; conversationId?: string }): Promise<PendingApproval[]>
  close(): Promise<void>
}

/** Why an approval without a summary cannot be approved. */
export const SUMMARY_UNAVAILABLE =
  'The server could not say what this request would do (its summary is unavailable), so it ' +
  'cannot be approved. Reject it; the Worker can ask again.'

/**
 * The Worker: an Agents SDK agent whose tools are the gateway's (through an MCP client) and the
 * skills', whose memory is Postgres, and which audits every step on its own pool.
 */
export function createWorker(options: WorkerOptions): Worker {
  const { db, logger, settings } = options
  const approval = new Set(options.approvalTools)
  const price = priceOf(options.model.name, options.price)
  const recorder = spanRecorder()
  const actor = (userId: string) => `worker:${userId}`

  const recordCall = async (context: TurnState, call: GatewayCall) => {
    await recordInvocation(db, {
      capability: `mcp:${call.name}`,
      actor: actor(context.userId),
      conversationId: context.conversationId,
      arguments: { call_id: call.callId ?? null, _trace: `${call.traceId}/${call.spanId}` },
      status: call.status,
      result: { seen_by: 'worker' },
      latencyMs: call.latencyMs,
    })
  }

  const agentFor = agentFactory({
    model: options.model,
    skills: options.skills,
    approval,
    parallelToolCalls: settings.parallelToolCalls,
    toolTimeoutMs: settings.toolTimeoutMs,
    recordCall,
  })

  const runnerFor = (conversationId: string, traceId: string) => {
    recorder.expect(traceId, conversationId)
    return new Runner({
      traceId,
      groupId: conversationId,
      workflowName: 'digital-fte turn',
      traceIncludeSensitiveData: false,
      outputGuardrailBlockedMessage: REPLIES.grounding,
    })
  }

  const begin = (identity: Identity | undefined, conversationId: string) =>
    beginSession(options.gateway, identity, conversationId, settings.toolTimeoutMs)

  const audit = (
    action: Parameters<typeof writeAudit>[1]['action'],
    conversationId: string,
    userId: string,
    payload: JsonObject,
    target?: string,
  ) => writeAudit(db, { action, actor: actor(userId), conversationId, target, payload })

  const ending: TurnEnding = {
    db,
    logger,
    model: options.model,
    price,
    toolTimeoutMs: settings.toolTimeoutMs,
    actor,
    audit,
  }
  const conclude = (outcome: RunOutcome, turn: TurnState, session: PostgresSession, begun: Begun) =>
    concludeTurn(ending, outcome, turn, session, begun.server)
  const unavailable = (refused: Refused, conversationId: string, userId: string) =>
    unavailableTurn(ending, refused, conversationId, userId)

  return {
    async *send(input) {
      const conversationId = input.conversationId ?? randomUUID()
      if (!isUuid(conversationId)) {
        yield refusal(null, 'invalid_input', 'A conversation id is a lowercase UUID.')
        return
      }
      if (input.conversationId !== undefined) {
        if (!(await conversations.exists(db, conversationId))) {
          yield refusal(
            conversationId,
            'not_found',
            `No conversation ${conversationId} was found for you.`,
          )
          return
        }
      }
      yield { type: 'turn_started', conversationId, resumed: false }
      const screened = screenInput(input.message, settings.maxInputChars)
      const begun = await begin(input.identity, conversationId)
      if ('refused' in begun) {
        yield* unavailable(begun, conversationId, input.identity?.sub ?? 'unknown')
        return
      }
      const { userId } = begun
      // The conversation in the Worker's database (the gateway's may be another): made if
      // missing, refused if someone else's.
      if (!(await conversations.claim(db, conversationId, userId))) {
        yield* unavailable({ refused: 'not_found', message: '' }, conversationId, userId)
        return
      }
      // A run waiting for a decision comes first (only its owner gets this far).
      const waiting =
        input.conversationId === undefined
          ? []
          : await runStore.pending(db, { userId, conversationId })
      if (waiting.length > 0) {
        yield refusal(
          conversationId,
          'approval_pending',
          `This conversation is waiting for a decision on ${waiting.map((w) => `${w.tool} (${w.id})`).join(', ')}: approve or reject it first.`,
        )
        yield { type: 'turn_ended', conversationId, status: 'failed', traceId: null }
        return
      }
      const session = new PostgresSession({
        db,
        conversationId,
        fresh: input.conversationId === undefined,
      })
      // The user's message replays right after this row, though it is written as the turn ends.
      session.placeUserMessage(
        await writeAuditThenPosition(db, {
          action: 'message_received',
          actor: actor(userId),
          conversationId,
          payload: { chars: [...input.message].length, redacted: screened.redacted },
        }),
      )
      if (screened.tooLong !== undefined) {
        const { chars, limit } = screened.tooLong
        await audit('guardrail_tripped', conversationId, userId, {
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
              actor: actor(userId),
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
        return
      }
      if (screened.redacted.length > 0) {
        await audit('guardrail_tripped', conversationId, userId, {
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
      const traceId = generateTraceId()
      const context = new TurnState({
        conversationId,
        userId,
        sessionHandle: begun.handle,
        grounding: [screened.text],
        traceId,
      })
      const agent = await agentFor(begun)
      const outcome = yield* runSegment(
        runnerFor(conversationId, traceId),
        agent,
        screened.text,
        context,
        {
          session,
          maxTurns: settings.maxTurns,
          signal: input.signal,
        },
      )
      yield* conclude(outcome, context, session, begun)
    },

    async *decide(input) {
      if (!isUuid(input.approvalId)) {
        yield refusal(null, 'not_found', `No approval ${input.approvalId} is waiting for you.`)
        return
      }
      const conversationId = await runStore.conversationOf(db, input.approvalId)
      const begun =
        conversationId === undefined ? undefined : await begin(input.identity, conversationId)
      if (conversationId === undefined || begun === undefined || 'refused' in begun) {
        if (begun !== undefined && 'refused' in begun && begun.refused === 'gateway') {
          yield refusal(conversationId ?? null, 'gateway_unavailable', REPLIES.gatewayDown)
          return
        }
        yield refusal(
          conversationId ?? null,
          'not_found',
          `No approval ${input.approvalId} is waiting for you.`,
        )
        return
      }
      const { userId } = begun
      const recorded = await runStore.decide(db, {
        approvalId: input.approvalId,
        userId,
        decision: input.decision,
        by: userId,
        reason: input.reason,
      })
      if (recorded === undefined) {
        yield refusal(
          conversationId,
          'not_found',
          `No approval ${input.approvalId} is waiting for you.`,
        )
        return
      }
      if (recorded === 'undescribed') {
        yield refusal(conversationId, 'summary_unavailable', SUMMARY_UNAVAILABLE)
        return
      }
      await audit(
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
      if (recorded.waiting > 0) return
      const claimed = await runStore.claim(db, recorded.runId)
      if (claimed === undefined) return
      yield { type: 'turn_started', conversationId, resumed: true }
      const traceId = generateTraceId()
      const context = new TurnState({
        conversationId,
        userId,
        sessionHandle: begun.handle,
        grounding: claimed.grounding,
        traceId,
      })
      const agent = await agentFor(begun)
      let outcome: RunOutcome
      const session = new PostgresSession({ db, conversationId })
      try {
        const state = await RunState.fromStringWithContext<
          WorkerRunContext,
          Agent<WorkerRunContext>
        >(agent, claimed.state, new RunContext(context.context), {
          contextStrategy: 'replace',
        })
        for (const item of state.getInterruptions()) {
          const callId = (item.rawItem as { callId?: string }).callId
          const decided = claimed.decisions.find((d) => d.callId === callId)
          if (decided?.decision === 'approved') {
            state.approve(item)
          } else {
            state.reject(item, {
              message:
                `A person rejected this call${decided?.reason ? ` (${decided.reason})` : ''}, so it ` +
                'was not done. Tell the user, and offer another way; do not try it again.',
            })
          }
        }
        outcome = yield* runSegment(runnerFor(conversationId, traceId), agent, state, context, {
          session,
          maxTurns: settings.maxTurns,
          signal: input.signal,
        })
      } catch (error) {
        outcome = {
          kind: 'fallback',
          reason: 'failed',
          detail: errorMessage(error),
          ungrounded: [],
          inputTokens: 0,
          outputTokens: 0,
        }
      }
      await runStore.finish(db, claimed.id, outcome.kind === 'fallback' ? 'failed' : 'finished')
      yield* conclude(outcome, context, session, begun)
    },

    pending(where) {
      return runStore.pending(db, where)
    },

    async close() {
      await options.gateway.close()
    },
  }
}
