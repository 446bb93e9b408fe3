import { reply } from './scripted-model.ts'
import type { ScriptedOpenAiServer } from './scripted-openai-server.ts'
import { toolResultsIn } from './worker-fixture.ts'

// The staff console's story (src/http/web/staff-console.browser.test.ts): what Maya writes, what
// Sam answers, and what the model is scripted to do at each step. The Worker's replies name only
// what the turn's tool results or Maya's own message say (the grounding check lets nothing else
// out).

export const SAY = {
  refund: 'My order #4356 arrived broken. Please refund the full $450.',
  approval: 'Damaged on arrival: the photos show a cracked case.',
  escalate:
    "Also, the refund for order #4429 still hasn't reached my bank after two weeks. This is really frustrating.",
  samReply:
    "Hi Maya, Sam here. I've asked billing to trace the other refund today; they will write to you by Friday.",
  whileHeld: 'Thanks Sam! If it helps, my card is 4242 4242 4242 4242.',
  afterHandBack: 'Will the $450 refund show up on my card soon?',
  workerAgain: 'Yes: the $450 refund is on its way back to your card.',
  resolution: 'Billing traced the refund: the bank posted it today.',
} as const

/** The escalation packet the model writes for ticket T-1099 (the escalate-with-context skill's). */
export const PACKET = {
  reason:
    'The refund was issued two weeks ago but never reached her bank: only billing can trace it.',
  issue: 'Refund for order #4429 issued two weeks ago has not arrived.',
  tried: 'Looked up order #4429: the refund was issued 14 days ago.',
  sentiment: 'Frustrated: "This is really frustrating."',
} as const

/**
 * Step 1: a full refund of order #4356 ($450.00, over the self-serve limit), then, once the tool
 * has answered, a reply saying a support lead will decide. Resolves to what the tool answered.
 */
export function scriptRefund(model: ScriptedOpenAiServer): { toolSaid: () => string } {
  let said = ''
  model.enqueue(
    reply({
      toolCalls: [
        {
          name: 'domain_issue_refund',
          arguments: {
            order: '4356',
            amount_cents: 45_000,
            reason: 'Arrived broken: a full refund',
            idempotency_key: 'story-4356-refund',
          },
        },
      ],
    }),
    reply((request) => {
      said = toolResultsIn(request).at(-1) ?? ''
      return {
        text: 'A support lead will review your refund of $450.00 for order #4356; you will read their decision here.',
      }
    }),
  )
  return { toolSaid: () => said }
}

/** Step 3: ticket T-1099 escalated with its packet, then a reply saying so. */
export function scriptEscalation(model: ScriptedOpenAiServer): void {
  model.enqueue(
    reply({
      toolCalls: [{ name: 'domain_escalate_ticket', arguments: { ticket: 'T-1099', ...PACKET } }],
    }),
    reply({
      text: 'I have passed ticket T-1099 to our billing team: they will trace the refund for order #4429.',
    }),
  )
}

/** Step 5: the Worker's answer after the hand-back; resolves to what the model was sent. */
export function scriptAfterHandBack(model: ScriptedOpenAiServer): { sent: () => string } {
  let sent = ''
  model.enqueue(
    reply((request) => {
      sent = JSON.stringify(request.body)
      return { text: SAY.workerAgain }
    }),
  )
  return { sent: () => sent }
}
