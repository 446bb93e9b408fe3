import { loadDemoData } from '../../domains/support/demo/load-demo-data.ts'
import { supportPack } from '../../domains/support/index.ts'
import type { Identity } from '../../src/auth/identity.ts'
import { scopesFor } from '../../src/auth/scopes.ts'
import { packScopes } from '../../src/pack/domain-pack.ts'
import type { Database } from '../../src/store/database.ts'
import { reply } from './scripted-model.ts'
import type { ScriptedOpenAiServer } from './scripted-openai-server.ts'
import { toolResultsIn } from './worker-fixture.ts'

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

/** The #4429 scenario, as a model would play it, each step reading what the last one returned. */
export function scriptScenario(model: ScriptedOpenAiServer): void {
  model.enqueue(
    reply({ toolCalls: [{ name: 'activate_skill', arguments: { name: 'find-similar-cases' } }] }),
    reply({ toolCalls: [{ name: 'domain_lookup_order', arguments: { order: '4429' } }] }),
    reply({
      toolCalls: [
        {
          name: 'domain_find_similar_cases',
          arguments: { description: 'refund issued two weeks ago has not arrived' },
        },
      ],
    }),
    reply((request) => {
      const dollars = /Order #4429: \$([\d.]+)/.exec(toolResultsIn(request).join())?.[1] ?? '0'
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
    }),
    reply({ toolCalls: [{ name: 'domain_list_tickets', arguments: {} }] }),
    reply((request) => {
      // The ticket about #4429 in the listing just returned (the skill's examples name others).
      const listing = toolResultsIn(request).at(-1) ?? ''
      const ticket = /(T-\d+)[^\n]*#4429/.exec(listing)?.[1] ?? 'T-0'
      return {
        toolCalls: [
          {
            name: 'domain_escalate_ticket',
            arguments: { ticket, reason: 'refund issued but not received after two weeks' },
          },
        ],
      }
    }),
    reply((request) => {
      const results = toolResultsIn(request)
      const ticket = /(T-\d+)[^\n]*#4429/.exec(results.at(-2) ?? '')?.[1]
      const amount = /Order #4429: (\$[\d.]+)/.exec(results.join())?.[1]
      if (/rejected/.test(results.at(-1) ?? '')) {
        return {
          text: `Your refund of ${amount} for order #4429 was already issued. The escalation of ticket ${ticket} was declined, so I have not escalated it.`,
        }
      }
      return {
        text: `Your refund of ${amount} for order #4429 was issued, so it cannot be paid twice. I have escalated ticket ${ticket} to billing to trace it.`,
      }
    }),
  )
}
