import type { Worker } from '../agent/worker.ts'
import type { JobTurnOutcome, TurnRunner } from '../jobs/job-turn.ts'

/**
 * The Worker as jobs use it: the same `send` as a chat turn, run to its end. The turn is stopped at
 * the first call its envelope leaves out (the gateway has refused it already): a job goes no
 * further than the envelope, and a person takes it from there.
 */
export function jobTurns(worker: Worker, gatewayTools: ReadonlySet<string>): TurnRunner {
  return async (input) => {
    const stop = new AbortController()
    const signal = AbortSignal.any([input.signal, stop.signal])
    const allowed = new Set(input.identity.envelope?.tools ?? [])
    const outcome: JobTurnOutcome = {
      status: 'failed',
      fallback: null,
      refusedTool: null,
      stored: false,
      error: null,
      steps: 0,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: null,
    }
    let fallback: string | null = null
    for await (const event of worker.send({
      message: input.message,
      conversationId: input.conversationId,
      identity: input.identity,
      signal,
      maxTurns: input.maxTurns,
      withReply: async (tx, reply) => {
        outcome.stored = true
        fallback = reply.fallback
        outcome.inputTokens = reply.inputTokens
        outcome.outputTokens = reply.outputTokens
        outcome.costUsd = reply.costUsd
        // A stopped turn's fallback is no answer: the job goes to a person instead.
        if (outcome.refusedTool !== null) return
        await input.withReply(tx, reply)
      },
    })) {
      if (event.type === 'tool_call') outcome.steps += 1
      else if (
        event.type === 'tool_result' &&
        event.status === 'error' &&
        gatewayTools.has(event.name) &&
        !allowed.has(event.name) &&
        outcome.refusedTool === null
      ) {
        outcome.refusedTool = event.name
        stop.abort()
      } else if (event.type === 'message') {
        outcome.inputTokens = event.usage.inputTokens
        outcome.outputTokens = event.usage.outputTokens
        outcome.costUsd = event.costUsd
      } else if (event.type === 'error') {
        outcome.error ??= event.code
      } else if (event.type === 'turn_ended') {
        outcome.status = event.status
      }
    }
    outcome.fallback = fallback
    return outcome
  }
}
