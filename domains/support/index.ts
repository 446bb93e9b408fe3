import { join } from 'node:path'
import { withDescribers } from '../../src/gateway/approval-summary.ts'
import { packageRoot } from '../../src/lib/package-root.ts'
import type { DomainPack } from '../../src/pack/domain-pack.ts'
import { supportDescribers } from './gateway/describe-calls.ts'
import { supportDevAccounts } from './gateway/dev-accounts.ts'
import { linkCustomer } from './gateway/link-identity.ts'
import { SUPPORT_PERSONA, SUPPORT_RULES } from './gateway/persona.ts'
import { supportTools } from './gateway/tools.ts'
import { resolvedTicketsImport } from './seed/csv-import.ts'
import { loadDemoData } from './seed/load-demo-data.ts'

export const supportPack: DomainPack = {
  name: 'support',
  description: 'Customer support: customers, orders, tickets, refunds and the policy library',
  migrations: { name: 'support', dir: join(packageRoot(), 'domains', 'support', 'migrations') },
  loadDemoData: (db, options) => loadDemoData(db, options),
  csvImport: resolvedTicketsImport,
  gateway: {
    persona: SUPPORT_PERSONA,
    rules: SUPPORT_RULES,
    // Each call that waits for a person comes with the summary that person approves.
    tools: (services) => withDescribers(supportTools(services), supportDescribers),
    linkIdentity: linkCustomer,
    // Money out and hand-offs to people wait for a person's yes in the Worker.
    approvalTools: ['domain_issue_refund', 'domain_escalate_ticket'],
  },
  devAccounts: supportDevAccounts,
  examplePrompt: "e.g. I haven't received my refund from order #4429, it's been two weeks.",
  // The repository's own .claude/skills: Claude Code and OpenCode opening the project see them too.
  skillsDir: join(packageRoot(), '.claude', 'skills'),
}
