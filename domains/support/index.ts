import { join } from 'node:path'
import { packageRoot } from '../../src/lib/package-root.ts'
import type { DomainPack } from '../../src/pack/domain-pack.ts'
import { SUPPORT_ACTION_CLAIMS } from './action-claims.ts'
import { resolvedTicketsImport } from './csv-import.ts'
import { loadDemoData } from './demo/load-demo-data.ts'
import { DEMO_STAFF, supportDevAccounts } from './gateway/dev-accounts.ts'
import { linkCustomer } from './gateway/link-identity.ts'
import { SUPPORT_PERSONA, SUPPORT_RULES } from './gateway/persona.ts'
import { escalateTicketTool } from './gateway/tools/escalate-ticket.ts'
import { findSimilarCasesTool } from './gateway/tools/find-similar-cases.ts'
import { getTicketTool } from './gateway/tools/get-ticket.ts'
import { issueRefundTool } from './gateway/tools/issue-refund.ts'
import { listTicketsTool } from './gateway/tools/list-tickets.ts'
import { lookupCustomerTool } from './gateway/tools/lookup-customer.ts'
import { lookupOrderTool } from './gateway/tools/lookup-order.ts'
import { openTicketTool } from './gateway/tools/open-ticket.ts'
import { searchPoliciesTool } from './gateway/tools/search-policies.ts'
import { supportJobs } from './jobs/index.ts'
import { supportLexicon } from './lexicon.ts'
import { supportStaff } from './staff/index.ts'

export const supportPack: DomainPack = {
  name: 'support',
  description: 'Customer support: customers, orders, tickets, refunds and the policy library',
  migrations: { name: 'support', dir: join(packageRoot(), 'domains', 'support', 'migrations') },
  loadDemoData: (db, options) => loadDemoData(db, options),
  scopes: { refund: 'move money: issue refunds (each one still waits for a person to approve it)' },
  demoPeople: { customer: 'demo|maya-okafor', staff: DEMO_STAFF.sub },
  lexicon: supportLexicon,
  csvImport: resolvedTicketsImport,
  gateway: {
    persona: SUPPORT_PERSONA,
    rules: SUPPORT_RULES,
    tools: [
      lookupCustomerTool,
      lookupOrderTool,
      getTicketTool,
      listTicketsTool,
      findSimilarCasesTool,
      searchPoliciesTool,
      issueRefundTool,
      escalateTicketTool,
      openTicketTool,
    ],
    linkIdentity: linkCustomer,
    // Money out and hand-offs to people wait for a person's yes (each tool's `consent`); each of
    // these tools describes its call for the person who approves it.
    actionClaims: SUPPORT_ACTION_CLAIMS,
  },
  devAccounts: supportDevAccounts,
  examplePrompt: "I haven't received my refund from order #4429, it's been two weeks.",
  staff: supportStaff,
  jobs: supportJobs,
  // The repository's own .claude/skills: Claude Code and OpenCode opening the project see them too.
  skillsDir: join(packageRoot(), 'domains', 'support', 'skills'),
  evalsDir: join(packageRoot(), 'domains', 'support', 'evals'),
}
