import { screenInput } from '../../src/agent/input-guardrail.ts'
import type { LoadedScenario } from '../../src/eval/scenario.ts'
import { currentTurn, offeredTools, wholeConversation } from './current-turn.ts'
import { type ModelTurn, reply, scriptedModel } from './scripted-model.ts'
import type { RecordedRequest, ScriptedOpenAiServer } from './scripted-openai-server.ts'

/** Its answer in a conversation that opens with no scenario's first message. */
export const UNKNOWN_CONVERSATION =
  'I am the reference model: I play only the scenarios I was given, and this conversation does ' +
  'not open with the first message of any of them.'

/**
 * Its answer on a later turn, once the reference is played: it names nothing and claims nothing.
 * The reference reply again would name ids and claim actions that no call of that turn backs,
 * and the Worker's grounding guardrail would hold it back.
 */
export const FOLLOW_UP = "You're welcome. Is there anything else I can do for you?"

/**
 * A Worker model that plays each scenario's reference (CI, benchmarks): in a conversation that
 * opens with a scenario's first message, it makes the customer's reference calls, one per model
 * request, in order, then gives the reference reply (FOLLOW_UP on later turns). Staff's calls and
 * decisions are not the Worker's: the trial makes them. It keeps no state: every request carries
 * its conversation's history, and the calls in it say which comes next, so trials may run at once
 * and a call rejected or refused still counts as made. Answers at once (zero latency).
 */
export function referenceModel(scenarios: readonly LoadedScenario[]): ScriptedOpenAiServer {
  const byOpening = new Map<string, LoadedScenario>()
  for (const scenario of scenarios) {
    const opening = seenByModel(scenario.messages[0] ?? '')
    const taken = byOpening.get(opening)
    if (taken !== undefined) {
      throw new Error(
        `${scenario.suite}/${scenario.id} opens as ${taken.suite}/${taken.id} does: the ` +
          'reference model tells scenarios apart by their first message',
      )
    }
    byOpening.set(opening, scenario)
  }
  return scriptedModel({
    unscripted: reply((request) => play(byOpening, request)),
    record: false,
  })
}

/** A message as the model receives it: the Worker's input guardrail takes secrets out first. */
function seenByModel(message: string): string {
  return screenInput(message, Number.POSITIVE_INFINITY).text
}

function play(byOpening: ReadonlyMap<string, LoadedScenario>, request: RecordedRequest): ModelTurn {
  const { opening, calls, turns } = wholeConversation(request)
  const scenario = opening === undefined ? undefined : byOpening.get(opening)
  if (scenario === undefined) return { text: UNKNOWN_CONVERSATION }
  const reference = scenario.reference
  if (reference === undefined) return { text: `Scenario ${scenario.id} has no reference.` }
  // The Worker calls the gateway's tools by their MCP names (src/agent/gateway-tools.ts).
  const customerCalls = reference.actions.flatMap((action) =>
    'tool' in action && action.as === 'customer' ? [action] : [],
  )
  const next = customerCalls[calls.length]
  if (next === undefined) {
    // The reply closes the turn that made the last call; with no calls, the first turn.
    const closing = turns === 1 || currentTurn(request).calls.length > 0
    return { text: closing ? reference.reply : FOLLOW_UP }
  }
  if (!offeredTools(request).includes(next.tool)) {
    return {
      text: `Scenario ${scenario.id} calls ${next.tool}, which the Worker does not offer.`,
    }
  }
  return { toolCalls: [{ name: next.tool, arguments: next.arguments }] }
}
