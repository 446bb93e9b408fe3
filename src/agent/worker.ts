import { Runner } from '@openai/agents'
import { recorderOn, writeAudit } from '../audit/audit-writer.ts'
import { recordOutcome } from '../audit/audited.ts'
import type { Identity } from '../auth/identity.ts'
import type { WorkerConfig } from '../config/sections/worker.ts'
import type { Logger } from '../lib/logger.ts'
import { type PendingApproval, runStore } from '../memory/runs.ts'
import type { ActionClaim } from '../pack/action-claims.ts'
import { fromAgentsSdk, w3cTraceId } from '../protocol/trace-context.ts'
import type { SkillRuntime } from '../skills/skill-runtime.ts'
import type { Database, Queryable } from '../store/database.ts'
import type { GatewayAccess } from './gateway-access.ts'
import { beginSession } from './gateway-session.ts'
import type { GatewayCall } from './gateway-tools.ts'
import { REPLIES } from './instructions.ts'
import type { WorkerModel } from './model-factory.ts'
import { type ModelPrice, priceOf } from './model-prices.ts'
import { SpanRecorder } from './span-recorder.ts'
import { openTurn } from './steps/open-turn.ts'
import { recordDecision } from './steps/record-decision.ts'
import { resumeRun } from './steps/resume-run.ts'
import { runTurn } from './steps/run-turn.ts'
import { screenMessage } from './steps/screen-message.ts'
import type { TurnDeps } from './steps/turn-deps.ts'
import { agentFactory } from './worker-agent.ts'
import { type TurnState, Turns } from './worker-context.ts'
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
  /** The pack's action claims: a reply may make one only when a call of its turn backs it. */
  actionClaims: readonly ActionClaim[]
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
  /** A job's step limit: model calls in this turn at most (else WORKER_MAX_TURNS). */
  maxTurns?: number | undefined
  /**
   * Work for the reply's own transaction, given the reply (a job's email, in its outbox): done
   * only when the reply is stored, never for one withheld because a person holds the conversation.
   */
  withReply?: ((tx: Queryable, reply: StoredReply) => Promise<void>) | undefined
}

/** The reply a turn stored: the model's, or a fallback the Worker wrote when the turn failed. */
export interface StoredReply {
  text: string
  /** Why the Worker wrote it itself (`max_turns`, `grounding`, …); null for the model's reply. */
  fallback: string | null
  /** What the turn spent. */
  inputTokens: number
  outputTokens: number
  costUsd: number | null
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

export { SUMMARY_UNAVAILABLE } from './steps/record-decision.ts'

/**
 * The Worker: an Agents SDK agent whose tools are the gateway's (through an MCP client) and the
 * skills', whose memory is Postgres, and which audits every step on its own pool.
 */
export function createWorker(options: WorkerOptions): Worker {
  const { db, logger, settings } = options
  const approval = new Set(options.approvalTools)
  const price = priceOf(options.model.name, options.price)
  const spans = new SpanRecorder()
  const turns = new Turns(options.actionClaims)
  const invocations = recorderOn(db)
  const actor = (userId: string) => `worker:${userId}`

  // What the Worker saw of a gateway call; the gateway records the call itself on its side, with
  // the same trace and span (the traceparent the call carried), so a replay pairs the two rows.
  const recordCall = async (context: TurnState, call: GatewayCall) => {
    await recordOutcome(
      invocations,
      {
        capability: `mcp:${call.name}`,
        actor: actor(context.userId),
        conversationId: context.conversationId,
        arguments: { call_id: call.callId ?? null },
        trace: fromAgentsSdk(call.traceId, call.spanId),
      },
      { status: call.status, result: { seen_by: 'worker' }, latencyMs: call.latencyMs },
    )
  }

  const agentFor = agentFactory({
    model: options.model,
    skills: options.skills,
    approval,
    parallelToolCalls: settings.parallelToolCalls,
    toolTimeoutMs: settings.toolTimeoutMs,
    turns,
    recordCall,
  })

  const runnerFor = (conversationId: string, traceId: string) => {
    spans.expect(traceId, conversationId)
    return new Runner({
      traceId,
      groupId: conversationId,
      workflowName: 'digital-fte turn',
      traceIncludeSensitiveData: false,
      outputGuardrailBlockedMessage: REPLIES.grounding,
    })
  }

  const deps: TurnDeps = {
    db,
    logger,
    model: options.model,
    price,
    toolTimeoutMs: settings.toolTimeoutMs,
    settings,
    actor,
    spans,
    turns,
    audit: (action, conversationId, userId, payload, target, traceId) =>
      writeAudit(db, {
        action,
        actor: actor(userId),
        conversationId,
        target,
        payload,
        traceId: w3cTraceId(traceId),
      }),
    begin: (identity, conversationId) =>
      beginSession(options.gateway, identity, conversationId, settings.toolTimeoutMs),
    agentFor,
    runnerFor,
  }

  return {
    // Named steps: open the turn (session begun, conversation owned), screen the message, run
    // the agent and conclude.
    async *send(input) {
      const turn = yield* openTurn(deps, input)
      if (turn === undefined) return
      const message = yield* screenMessage(deps, turn, input.message)
      if (message === undefined) return
      if (turn.heldBy !== null) {
        // A person holds the conversation: the message is theirs to answer, not the Worker's.
        await message.session.addItems([{ role: 'user', content: message.text }])
        const heldBy = await message.session.commit({ reply: { actor: actor(turn.userId) } })
        if (heldBy !== undefined) {
          yield { type: 'held', conversationId: turn.conversationId, by: heldBy }
          yield {
            type: 'turn_ended',
            conversationId: turn.conversationId,
            status: 'held',
            traceId: null,
          }
          return
        }
      }
      yield* runTurn(deps, turn, message, input)
    },

    // Record the decision; when the run has none left waiting, resume it.
    async *decide(input) {
      const decided = yield* recordDecision(deps, input)
      if (decided === undefined || decided.waiting > 0) return
      yield* resumeRun(deps, decided, input.signal)
    },

    pending(where) {
      return runStore.pending(db, where)
    },

    async close() {
      await options.gateway.close()
    },
  }
}
