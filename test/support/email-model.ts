import { currentTurn } from './current-turn.ts'
import { type ModelTurn, reply, scriptedModel } from './scripted-model.ts'
import type { RecordedRequest, ScriptedOpenAiServer } from './scripted-openai-server.ts'

/** Its answer to an email that names no order: no digits, so the guardrail has nothing to hold. */
export const GENERAL_ANSWER =
  'Thank you for writing. A colleague has your message and will follow up.'

/**
 * A stateless scripted model for emails and jobs, deciding each step from the turn so far:
 * - "please refund" and an order number: refunds it (a job's envelope leaves that tool out);
 * - "keep looking": looks the customer up again and again (past any step limit);
 * - "in detail": answers at once, at a cost of 200,000 tokens (past a job's token budget);
 * - an order number: looks the order up, then answers with the lookup's first line;
 * - anything else: a general answer.
 */
export function emailModel(options: { record?: boolean } = {}): ScriptedOpenAiServer {
  return scriptedModel({ unscripted: reply(play), record: options.record ?? false })
}

function play(request: RecordedRequest): ModelTurn {
  const turn = currentTurn(request)
  const message = turn.message ?? ''
  const order = /#(\d{3,12})\b/.exec(message)?.[1]
  if (/keep looking/i.test(message)) {
    return { toolCalls: [{ name: 'domain_lookup_customer', arguments: {} }] }
  }
  if (/in detail/i.test(message)) {
    return { text: GENERAL_ANSWER, usage: { input: 199_000, output: 1_000 } }
  }
  if (order !== undefined && /please refund/i.test(message) && turn.calls.length === 0) {
    return {
      toolCalls: [
        {
          name: 'domain_issue_refund',
          arguments: {
            order,
            amount_cents: 5000,
            reason: 'asked for by email',
            idempotency_key: `email-${order}`,
          },
        },
      ],
    }
  }
  if (order !== undefined && turn.calls.length === 0) {
    return { toolCalls: [{ name: 'domain_lookup_order', arguments: { order } }] }
  }
  if (order !== undefined) {
    const first = (turn.results.at(-1) ?? '').split('\n')[0]?.trim() ?? ''
    return { text: first === '' ? GENERAL_ANSWER : `Here is what we have: ${first}` }
  }
  return { text: GENERAL_ANSWER }
}
