import {
  type Agent,
  MaxTurnsExceededError,
  OutputGuardrailTripwireTriggered,
  type Runner,
  type RunState,
  type RunToolApprovalItem,
  type Session,
} from '@openai/agents'
import { APIError } from 'openai'
import { fillTemplate } from '../protocol/gateway-wire.ts'
import type { ClaimMatch } from './claimed-actions.ts'
import { toolWords } from './gateway-tools.ts'
import { GroundedStream } from './grounding.ts'
import type { ReplyVerdict, TurnState, WorkerRunContext } from './worker-context.ts'
import type { WorkerEvent } from './worker-events.ts'

/** The activity line of a call whose tool says nothing of itself. */
const WORKING = 'Working on it…'

/** How one run segment ended: a reply, a pause for approvals, or a failure with the reply to send. */
export type RunOutcome =
  | { kind: 'reply'; text: string; inputTokens: number; outputTokens: number }
  | {
      kind: 'paused'
      state: string
      interruptions: Array<{ callId: string; tool: string; arguments: Record<string, unknown> }>
      inputTokens: number
      outputTokens: number
    }
  | {
      kind: 'fallback'
      reason: 'grounding' | 'model_unavailable' | 'max_turns' | 'failed'
      detail: string
      ungrounded: string[]
      /** The claims of actions no successful call of the turn did. */
      unbacked: ClaimMatch[]
      inputTokens: number
      outputTokens: number
    }

/**
 * Runs the agent once (a new message, or a state resumed after approvals), streaming, and turns
 * the SDK's events into the Worker's: text through the grounding filter, a line per tool call and
 * skill activation. Returns how the run ended; never throws for the model's or provider's faults.
 */
export async function* runSegment(
  runner: Runner,
  agent: Agent<WorkerRunContext>,
  input: string | RunState<WorkerRunContext, Agent<WorkerRunContext>>,
  turn: TurnState,
  options: { session: Session; maxTurns: number; signal?: AbortSignal | undefined },
): AsyncGenerator<WorkerEvent, RunOutcome> {
  const { conversationId } = turn
  const stream = new GroundedStream(turn)
  let usage = { inputTokens: 0, outputTokens: 0 }
  try {
    const result = await runner.run(agent, input, {
      stream: true,
      session: options.session,
      maxTurns: options.maxTurns,
      ...(typeof input === 'string' ? { context: turn.context } : {}),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    })
    for await (const event of result) {
      if (event.type === 'raw_model_stream_event' && event.data.type === 'output_text_delta') {
        const delta = stream.push(event.data.delta)
        if (delta !== '') yield { type: 'text_delta', conversationId, delta }
      } else if (event.type === 'raw_model_stream_event' && event.data.type === 'response_done') {
        // A reply that follows tool calls starts a new message: release what the last one held.
        const rest = stream.end()
        if (rest !== '') yield { type: 'text_delta', conversationId, delta: rest }
      } else if (event.type === 'run_item_stream_event' && event.name === 'tool_called') {
        const raw = event.item.rawItem as { callId?: string; name?: string; arguments?: string }
        const name = raw.name ?? 'tool'
        if (name === 'activate_skill') {
          const skill = parseArguments(raw.arguments).name
          yield { type: 'skill_activated', conversationId, name: String(skill ?? '') }
        } else {
          const args = parseArguments(raw.arguments)
          const words = toolWords(agent.tools.find((t) => t.name === name))
          const activity =
            words?.activity === undefined ? undefined : fillTemplate(words.activity, args)
          yield {
            type: 'tool_call',
            conversationId,
            callId: raw.callId ?? '',
            name,
            arguments: args,
            activity: activity ?? WORKING,
          }
        }
      } else if (event.type === 'run_item_stream_event' && event.name === 'tool_output') {
        const raw = event.item.rawItem as { callId?: string; name?: string }
        const callId = raw.callId ?? ''
        const result = turn.results.get(callId)
        yield {
          type: 'tool_result',
          conversationId,
          callId,
          name: raw.name ?? 'tool',
          status: result === undefined || result.status === 'ok' ? 'ok' : 'error',
          summary: summaryOf(result?.text ?? ''),
          ...(result?.staffRequest === undefined ? {} : { staffRequest: result.staffRequest }),
        }
      }
    }
    await result.completed
    usage = {
      inputTokens: result.state.usage.inputTokens,
      outputTokens: result.state.usage.outputTokens,
    }
    if (result.interruptions.length > 0) {
      return {
        kind: 'paused',
        state: result.state.toString(),
        interruptions: result.interruptions.map(approvalCall),
        ...usage,
      }
    }
    const rest = stream.end()
    if (rest !== '') yield { type: 'text_delta', conversationId, delta: rest }
    return { kind: 'reply', text: String(result.finalOutput ?? ''), ...usage }
  } catch (error) {
    if (error instanceof OutputGuardrailTripwireTriggered) {
      const info = error.result.output.outputInfo as Partial<ReplyVerdict> | undefined
      return {
        kind: 'fallback',
        reason: 'grounding',
        detail:
          'the reply named details no tool result of this turn contains, or said it did what no call did',
        ungrounded: info?.ungrounded ?? [],
        unbacked: info?.unbacked ?? [],
        ...usage,
      }
    }
    if (error instanceof MaxTurnsExceededError) {
      return {
        kind: 'fallback',
        reason: 'max_turns',
        detail: error.message,
        ungrounded: [],
        unbacked: [],
        ...usage,
      }
    }
    if (error instanceof APIError) {
      return {
        kind: 'fallback',
        reason: 'model_unavailable',
        detail: `${error.status ?? 'no response'}: ${error.message}`.slice(0, 300),
        ungrounded: [],
        unbacked: [],
        ...usage,
      }
    }
    return {
      kind: 'fallback',
      reason: 'failed',
      detail: error instanceof Error ? error.message.slice(0, 300) : String(error),
      ungrounded: [],
      unbacked: [],
      ...usage,
    }
  }
}

function approvalCall(item: RunToolApprovalItem): {
  callId: string
  tool: string
  arguments: Record<string, unknown>
} {
  const raw = item.rawItem as { callId?: string; name?: string; arguments?: string }
  return {
    callId: raw.callId ?? '',
    tool: item.name ?? raw.name ?? 'tool',
    arguments: parseArguments(item.arguments ?? raw.arguments),
  }
}

/** The first line of a tool's answer, without the rules reminder, at most 160 characters. */
function summaryOf(text: string): string {
  const first = text.trim().split('\n')[0] ?? ''
  return first.length > 160 ? `${first.slice(0, 159)}…` : first
}

function parseArguments(text: string | undefined): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text ?? '{}')
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}
