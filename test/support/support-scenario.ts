import { loadDemoData } from '../../domains/support/demo/load-demo-data.ts'
import { supportPack } from '../../domains/support/index.ts'
import type { Identity } from '../../src/auth/identity.ts'
import { scopesFor } from '../../src/auth/scopes.ts'
import { packScopes } from '../../src/pack/domain-pack.ts'
import type { Database } from '../../src/store/database.ts'
import { currentTurn } from './current-turn.ts'
import { type ModelTurn, reply } from './scripted-model.ts'
import type { RecordedRequest, ScriptedOpenAiServer } from './scripted-openai-server.ts'

// The support pack's demo, for its own tests (its Worker story among them) and for the ones that
// play its #4429 story through the shipped program (the web UI, `fte ask`) or measure it (the
// benchmarks): its people, their data and the script.

export const MAYA: Identity = {
  sub: 'demo|maya-okafor',
  role: 'customer',
  scopes: scopesFor('customer', packScopes(supportPack)),
}
export const DANIEL: Identity = {
  sub: 'demo|daniel-reyes',
  role: 'customer',
  scopes: scopesFor('customer', packScopes(supportPack)),
}
export const STAFF: Identity = {
  sub: 'demo|staff-sam',
  role: 'staff',
  scopes: scopesFor('staff', packScopes(supportPack)),
}

export async function supportDatabase(db: Database): Promise<Database> {
  await loadDemoData(db)
  return db
}

export const QUESTION = "I haven't received my refund from order #4429, it's been two weeks."

/** The #4429 scenario, as a model would play it, each step reading what the last ones returned. */
export function scriptScenario(model: ScriptedOpenAiServer): void {
  model.enqueue(...SCENARIO.map((step) => reply(step)))
}

/**
 * The scenario's steps, one per model request of its turn: the n-th answers the request that
 * follows n tool calls. A step that needs a value no tool result of the turn holds says so and
 * stops, rather than fill a blank (a customer once read "Your refund of undefined").
 */
export const SCENARIO: ReadonlyArray<(request: RecordedRequest) => ModelTurn> = [
  () => ({ toolCalls: [{ name: 'activate_skill', arguments: { name: 'find-similar-cases' } }] }),
  () => ({ toolCalls: [{ name: 'domain_lookup_order', arguments: { order: '4429' } }] }),
  () => ({
    toolCalls: [
      {
        name: 'domain_find_similar_cases',
        arguments: { description: 'refund issued two weeks ago has not arrived' },
      },
    ],
  }),
  (request) => {
    const dollars = /Order #4429: \$([\d.]+)/.exec(currentTurn(request).results.join('\n'))?.[1]
    if (dollars === undefined) return missing("the order's amount, which its lookup did not give")
    return {
      toolCalls: [
        {
          name: 'domain_issue_refund',
          arguments: {
            order: '4429',
            amount_cents: Math.round(Number(dollars) * 100),
            reason: 'refund not received after two weeks',
            idempotency_key: 'scenario-4429-refund',
          },
        },
      ],
    }
  },
  () => ({ toolCalls: [{ name: 'domain_list_tickets', arguments: {} }] }),
  (request) => {
    // The ticket about #4429 in the listing just returned (the skill's examples name others).
    const ticket = ticketIn(currentTurn(request).results.at(-1))
    if (ticket === undefined) return missing('the ticket about the order, which the list lacked')
    return {
      toolCalls: [
        {
          name: 'domain_escalate_ticket',
          arguments: { ticket, reason: 'refund issued but not received after two weeks' },
        },
      ],
    }
  },
  (request) => {
    const { results } = currentTurn(request)
    const ticket = ticketIn(results.at(-2))
    const amount = /Order #4429: (\$[\d.]+)/.exec(results.join('\n'))?.[1]
    if (ticket === undefined || amount === undefined) {
      return missing("the order's amount and its ticket, which the tools did not give")
    }
    const escalation = results.at(-1) ?? ''
    if (/rejected/.test(escalation)) {
      return {
        text: `Your refund of ${amount} for order #4429 was already issued. The escalation of ticket ${ticket} was declined, so I have not escalated it.`,
      }
    }
    // Only an escalation the tool confirmed is told as done.
    const outcome = / is escalated /.test(escalation)
      ? `I have escalated ticket ${ticket} to billing to trace it.`
      : /already escalated/.test(escalation)
        ? `Ticket ${ticket} was already escalated: a team is tracing it.`
        : `The escalation of ticket ${ticket} did not go through, so it is not escalated.`
    return {
      text: `Your refund of ${amount} for order #4429 was issued, so it cannot be paid twice. ${outcome}`,
    }
  },
]

/** The ticket a listing shows for order #4429. */
function ticketIn(listing: string | undefined): string | undefined {
  return /(T-\d+)[^\n]*#4429/.exec(listing ?? '')?.[1]
}

/** The step's answer when a value it needs is missing: said plainly, nothing made up. */
function missing(what: string): ModelTurn {
  return {
    text:
      `I am the scripted demo model, and I stop here: the next step of my scenario needs ${what}. ` +
      'I do not make values up. Try the scenario as its customer, Maya Okafor.',
  }
}
