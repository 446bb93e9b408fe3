import { currentTurn, offeredTools } from './current-turn.ts'
import { type ModelTurn, reply, scriptedModel } from './scripted-model.ts'
import type { RecordedRequest, ScriptedOpenAiServer } from './scripted-openai-server.ts'
import { SCENARIO } from './support-scenario.ts'

/**
 * Its answer to a message it has no script for. No digits: the Worker's guardrail holds back an
 * order number that neither the user nor a tool wrote.
 */
export const NO_SCRIPT =
  'I am the scripted demo model; try the message `npm run scripted-model` printed when it started ' +
  '(Maya Okafor asking after a refund that has not arrived). That one conversation is all I can play.'

/** Its answer on a server of another pack, whose tools the scenario cannot call. */
export const OTHER_PACK =
  'I am the scripted demo model; try it with the support pack (the default domain): the refund ' +
  'scenario I play needs its tools, and this server serves another pack.'

/**
 * The model of the no-provider demo (`npm run scripted-model`): it plays the support pack's #4429
 * scenario in every conversation that asks about that order, each on its own. It keeps no state:
 * every request carries its conversation's history, and the tool calls made since the user's
 * message say which step comes next. So a conversation left at an approval, or two at once, cannot
 * put another one out of step. Anything else gets a plain answer that says what it can play.
 */
export function scriptedDemoModel(): ScriptedOpenAiServer {
  return scriptedModel({ unscripted: reply(playScenario), record: false })
}

function playScenario(request: RecordedRequest): ModelTurn {
  if (!offeredTools(request).includes('domain_lookup_order')) return { text: OTHER_PACK }
  const turn = currentTurn(request)
  if (!/\b4429\b/.test(turn.message ?? '')) return { text: NO_SCRIPT }
  return SCENARIO[turn.calls.length]?.(request) ?? { text: NO_SCRIPT }
}
