import type { WorkerModel } from '../agent/model-factory.ts'
import type { Worker } from '../agent/worker.ts'
import type { WorkerEvent } from '../agent/worker-events.ts'
import { buildWorker } from '../app/build-worker.ts'
import type { Runtime } from '../app/runtime.ts'
import { errorMessage } from '../lib/errors.ts'
import type { TranscriptLine, TrialResult } from './eval-report.ts'
import type { LoadedScenario, ReferenceAction } from './scenario.ts'
import { callAs, decideOldestRequest, newConversation, type TrialWorld } from './trial-world.ts'
import type { UserSimulator } from './user-simulator.ts'

/** The simulated customer, not the Worker, failed (its model down, say). */
class CustomerFailed extends Error {}

/** What the simulated customer does, its failures named as its own. */
function asCustomer<T>(work: Promise<T>): Promise<T> {
  return work.catch((error: unknown) => {
    throw new CustomerFailed(errorMessage(error), { cause: error })
  })
}

/** A conversation as it went, before it is graded. */
export type Conversation = Pick<
  TrialResult,
  'ended' | 'turns' | 'inputTokens' | 'outputTokens' | 'costUsd' | 'latencyMs' | 'transcript'
> & {
  replies: string[]
  /** What stopped it short (a Worker error), for the grade. */
  failures: string[]
}

/**
 * One conversation between the simulated customer and the Worker, built as production builds it
 * and reaching the gateway in this process: at most `max_turns` user messages. The Worker's
 * requests for consent go to the simulator; after each turn, staff act as the reference's staff
 * actions say, in order: deciding requests put to them, making their own calls (staff are part of
 * the world, not the agent under test).
 */
export async function converse(
  runtime: Runtime,
  world: TrialWorld,
  scenario: LoadedScenario,
  model: WorkerModel,
  simulator: UserSimulator,
  signal: AbortSignal,
): Promise<Conversation> {
  const worker = await buildWorker(runtime, world.db, world.access, model, 'worker:eval')
  // Staff's part of the reference, in order: what staff do once the Worker has had its turn.
  const staffActions = (scenario.reference?.actions ?? []).filter((a) => a.as === 'staff')
  const staffConversation = newConversation()
  const result: Conversation = {
    ended: 'max_turns',
    turns: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    latencyMs: 0,
    transcript: [],
    replies: [],
    failures: [],
  }
  const say = (line: TranscriptLine) => result.transcript.push(line)
  let conversationId: string | undefined
  try {
    let message = await asCustomer(simulator.open(signal))
    while (result.turns < scenario.max_turns) {
      result.turns++
      say({ role: 'user', text: message })
      let started = performance.now()
      let events = worker.send({ message, conversationId, identity: world.user, signal })
      let reply = ''
      for (;;) {
        const turn = await follow(events, result, say)
        conversationId = turn.conversationId ?? conversationId
        // A turn paused for consent says its reply after the decision: its parts, in order.
        if (turn.text !== '') reply = reply === '' ? turn.text : `${reply}\n\n${turn.text}`
        if (turn.error !== undefined) {
          result.failures.push(`the Worker failed: ${turn.error}`)
          result.ended = 'error'
          break
        }
        if (turn.approvals.length === 0) break
        // The customer's time deciding is not the Worker's.
        result.latencyMs += performance.now() - started
        const decisions: Array<{ approvalId: string; yes: boolean }> = []
        for (const asked of turn.approvals) {
          // As the product shows it: a request with no summary offers only "reject".
          const yes = asked.rejectOnly
            ? false
            : await asCustomer(simulator.consent(asked.prompt, signal))
          say({
            role: 'approval',
            text: `${yes ? 'approved' : 'rejected'}${asked.rejectOnly ? ' (nothing to approve: no summary)' : ''}: ${asked.prompt}`,
          })
          decisions.push({ approvalId: asked.approvalId, yes })
        }
        started = performance.now()
        events = decideAll(worker, decisions, world, signal)
      }
      result.latencyMs += performance.now() - started
      if (reply !== '') result.replies.push(reply)
      if (result.ended === 'error') break
      await actAsStaff(world, staffActions, staffConversation, say, signal)
      const next = await asCustomer(simulator.next(reply, signal))
      if ('done' in next) {
        result.ended = 'done'
        break
      }
      message = next.message
    }
  } catch (error) {
    if (signal.aborted) {
      result.ended = 'interrupted'
      return result
    }
    result.failures.push(
      error instanceof CustomerFailed
        ? `the simulated customer failed: ${error.message}`
        : `the conversation failed: ${errorMessage(error)}`,
    )
    result.ended = 'error'
  } finally {
    await worker.close().catch(() => {})
  }
  return result
}

/**
 * Staff's next actions after a turn, in the reference's order: a decision waits for a request to
 * decide (and stops there until one comes); a call is made as staff, as the console would.
 */
async function actAsStaff(
  world: TrialWorld,
  actions: ReferenceAction[],
  conversationId: string,
  say: (line: TranscriptLine) => void,
  signal: AbortSignal,
): Promise<void> {
  for (let action = actions[0]; action !== undefined; action = actions[0]) {
    if ('decide' in action) {
      const decided = await decideOldestRequest(world, action, signal)
      if (decided === undefined) return
      say({ role: 'staff', text: `${action.decide}: ${decided.outcome}` })
    } else {
      const answer = await callAs(world, world.staff, conversationId, action, signal)
      say({
        role: 'staff',
        text: `${action.tool}(${JSON.stringify(action.arguments)}) → ${'failed' in answer ? answer.failed : answer.text}`,
      })
    }
    actions.shift()
  }
}

interface Asked {
  approvalId: string
  prompt: string
  /** No summary could be made of it (an order the customer cannot see): it can only be refused. */
  rejectOnly: boolean
}

interface FollowedTurn {
  conversationId: string | undefined
  text: string
  approvals: Asked[]
  error: string | undefined
}

/** A turn's events: its reply, its usage, the approvals it waits for, an error. */
async function follow(
  events: AsyncGenerator<WorkerEvent>,
  result: Conversation,
  say: (line: TranscriptLine) => void,
): Promise<FollowedTurn> {
  const turn: FollowedTurn = {
    conversationId: undefined,
    text: '',
    approvals: [],
    error: undefined,
  }
  for await (const event of events) {
    if ('conversationId' in event && event.conversationId !== null) {
      turn.conversationId = event.conversationId
    }
    if (event.type === 'message') {
      turn.text += turn.text === '' ? event.text : `\n\n${event.text}`
      say({ role: 'worker', text: event.text })
      result.inputTokens += event.usage.inputTokens
      result.outputTokens += event.usage.outputTokens
      result.costUsd =
        result.costUsd === null || event.costUsd === null ? null : result.costUsd + event.costUsd
    } else if (event.type === 'tool_call') {
      say({ role: 'tool', text: `${event.name}(${JSON.stringify(event.arguments)})` })
    } else if (event.type === 'approval_requested') {
      turn.approvals.push({
        approvalId: event.approvalId,
        prompt: event.summary?.prompt ?? `${event.tool}(${JSON.stringify(event.arguments)})`,
        rejectOnly: event.summary === null,
      })
    } else if (event.type === 'error') {
      turn.error = `${event.code}: ${event.message}`
    }
  }
  return turn
}

/** The decisions on every approval the turn waits for; the run resumes after the last. */
async function* decideAll(
  worker: Worker,
  decisions: ReadonlyArray<{ approvalId: string; yes: boolean }>,
  world: TrialWorld,
  signal: AbortSignal,
): AsyncGenerator<WorkerEvent> {
  for (const { approvalId, yes } of decisions) {
    yield* worker.decide({
      approvalId,
      decision: yes ? 'approved' : 'rejected',
      identity: world.user,
      signal,
    })
  }
}
