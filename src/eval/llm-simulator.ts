import type { WorkerModel } from '../agent/model-factory.ts'
import { InternalError, SystemError } from '../lib/errors.ts'
import type { Scenario } from './scenario.ts'
import type { UserSimulator } from './user-simulator.ts'

/** The customer's whole message when the conversation is over for them (τ-bench's). */
export const STOP = '###STOP###'

/**
 * The agent's first words in the customer's history. Some providers want a conversation to open
 * with a user message, and from the customer's side the agent is the user (τ-bench's framing).
 */
const GREETING = 'Hi! How can I help you today?'

/** The model a simulator talks through: any the model factory makes. */
export type SimulatorModel = Pick<WorkerModel, 'client' | 'api' | 'name'>

/** A line of the conversation as the customer's model sees it: the agent is `user`. */
interface Line {
  role: 'user' | 'assistant'
  content: string
}

/** The customer's instructions: the scenario's persona and goal, under τ-bench's user rules. */
export function simulatorInstructions(scenario: Pick<Scenario, 'persona' | 'goal'>): string {
  return [
    "You are a customer writing to a company's AI agent in a chat. You play the customer, never " +
      'the agent.',
    `Who you are:\n${scenario.persona}`,
    `What you want:\n${scenario.goal}`,
    [
      'Rules:',
      '- Write one message at a time, as the customer: short and natural, as a person types in ' +
        'a chat.',
      '- Do not say everything at once. Reveal a detail (a number, a date, an amount, who you ' +
        'are) only when the agent asks for it.',
      '- Never invent facts that are not in who you are or what you want. If the agent asks ' +
        'for something you do not know, say you do not know or do not have it.',
      '- Say things in your own words; do not copy these instructions.',
      '- Never play the agent: do not answer for it, do not say what it did.',
      '- When your goal is met, or the agent has clearly refused or cannot help, reply with ' +
        `${STOP} alone, nothing else.`,
      '- When a message in square brackets asks for your approval of an action, answer ' +
        'APPROVE if it is what you want, given your goal, or REJECT if not: the one word alone.',
    ].join('\n'),
  ].join('\n\n')
}

/**
 * A τ-bench style simulated customer on a language model (any the model factory makes; it may
 * differ from the Worker's). By default it opens with the scenario's first message verbatim, so
 * every run of a scenario starts the same way, then writes its own. Provider errors propagate: the trial
 * records them.
 */
export function llmSimulator(
  scenario: Pick<Scenario, 'persona' | 'goal' | 'messages'>,
  model: SimulatorModel,
  /**
   * `scripted` (the default): the scenario's first message, verbatim. `generated`: the customer
   * writes it from the persona and goal, as τ-bench's does, saying only what a person would say
   * first: then "reveals only when asked" is tested from the first word.
   */
  opening: 'scripted' | 'generated' = 'scripted',
): UserSimulator {
  const instructions = simulatorInstructions(scenario)
  const history: Line[] = [{ role: 'user', content: GREETING }]
  const usage = { inputTokens: 0, outputTokens: 0 }

  const write = async (lines: Line[], signal: AbortSignal | undefined): Promise<string> => {
    const answer = await complete(model, instructions, lines, signal)
    usage.inputTokens += answer.inputTokens
    usage.outputTokens += answer.outputTokens
    const text = answer.text.trim()
    if (text === '') {
      throw new SystemError(
        'simulator_no_reply',
        `the user simulator's model ${model.name} wrote nothing`,
      )
    }
    return text
  }

  return {
    usage,
    async open(signal) {
      signal?.throwIfAborted()
      const first = opening === 'generated' ? await write(history, signal) : scenario.messages[0]
      // The schema asks for at least one message.
      if (first === undefined) throw new InternalError('internal', 'a scenario without messages')
      history.push({ role: 'assistant', content: first })
      return first
    },
    async next(workerReply, signal) {
      history.push({ role: 'user', content: workerReply })
      const message = await write(history, signal)
      if (message.includes(STOP)) return { done: true }
      history.push({ role: 'assistant', content: message })
      return { message }
    },
    async consent(request, signal) {
      const question = {
        role: 'user' as const,
        content:
          `[The agent asks your approval before it acts:\n\n${request}\n\n` +
          'Answer APPROVE or REJECT.]',
      }
      // The first of the two words; an answer with neither is no consent.
      const approved = consents(await write([...history, question], signal))
      // Kept, so what the customer says next knows what they agreed to.
      history.push(question, { role: 'assistant', content: approved ? 'APPROVE' : 'REJECT' })
      return approved
    },
  }
}

/** One completion of the customer's model, through the API its provider speaks. */
async function complete(
  model: SimulatorModel,
  instructions: string,
  lines: Line[],
  signal: AbortSignal | undefined,
): Promise<{ text: string; inputTokens: number; outputTokens: number }> {
  const options = signal === undefined ? {} : { signal }
  if (model.api === 'responses') {
    const response = await model.client.responses.create(
      { model: model.name, instructions, input: lines },
      options,
    )
    return {
      text: response.output_text,
      inputTokens: response.usage?.input_tokens ?? 0,
      outputTokens: response.usage?.output_tokens ?? 0,
    }
  }
  const completion = await model.client.chat.completions.create(
    { model: model.name, messages: [{ role: 'system', content: instructions }, ...lines] },
    options,
  )
  return {
    text: completion.choices[0]?.message.content ?? '',
    inputTokens: completion.usage?.prompt_tokens ?? 0,
    outputTokens: completion.usage?.completion_tokens ?? 0,
  }
}

/**
 * Whether an answer to a request for consent is a yes: it says APPROVE, and neither REJECT nor a
 * negated approval ("I don't approve"). Anything unclear is a no, as a person's would be.
 */
export function consents(answer: string): boolean {
  if (/\breject/i.test(answer)) return false
  if (
    /\b(?:not|never|no|don['’]t|do not|won['’]t|cannot|can['’]t)\b[^.!?]{0,20}\bapprove/i.test(
      answer,
    )
  ) {
    return false
  }
  return /\bapprove/i.test(answer)
}
