import type { JobsPack } from '../../../src/pack/jobs-contract.ts'
import { customerByKey, customerBySender } from './customer-records.ts'
import { refundFollowUp } from './refund-follow-up.ts'
import { STORE_EVENTS } from './store-events.ts'

/**
 * What jobs may do unprompted, on behalf of a customer nobody signed in as: read and explain.
 * Moving money, escalating and opening tickets are left out, so the gateway refuses them to every
 * job; a request for one goes to a person.
 */
const READ_ONLY_TOOLS = [
  'config_get_persona',
  'config_get_rules',
  'user_get_profile',
  'domain_lookup_customer',
  'domain_lookup_order',
  'domain_get_ticket',
  'domain_list_tickets',
  'domain_find_similar_cases',
  'domain_search_policies',
]

export const supportJobs: JobsPack = {
  matchSender: customerBySender,
  record: customerByKey,
  envelopes: {
    email: { tools: READ_ONLY_TOOLS, maxSteps: 8, tokensPerJob: 60_000, tokensPerDay: 3_000_000 },
    webhook: { tools: READ_ONLY_TOOLS, maxSteps: 8 },
    schedule: { tools: READ_ONLY_TOOLS, maxSteps: 8 },
  },
  webhooks: STORE_EVENTS,
  schedules: [refundFollowUp],
}
