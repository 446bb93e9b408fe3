import { z } from 'zod'
import { plural } from '../../../../src/lib/words.ts'
import { defineTool, READ_ONLY, SESSION_ARGUMENT } from '../../../../src/pack/tool-definition.ts'
import { EMAIL } from '../arguments.ts'
import { targetCustomer } from '../customer.ts'

export const lookupCustomerTool = defineTool({
  name: 'domain_lookup_customer',
  title: 'Look up a customer',
  description:
    "Returns the customer's profile: name, email, tier (free, pro, enterprise), since when, " +
    'and counts of orders and open tickets. Use it at the start of a support conversation to ' +
    'know who you are helping and their tier ("who am I", "my account", "my plan"). A customer ' +
    'gets their own record; staff name the customer by email.',
  input: z.strictObject({
    session: SESSION_ARGUMENT,
    customer_email: EMAIL.optional().describe('Staff only: the customer to look up'),
  }),
  activity: 'Looking up your account…',
  annotations: READ_ONLY,
  isolation: 'statement',
  sensitive: ['customer_email', 'name'],
  async run(ctx, input) {
    const c = await targetCustomer(ctx, input.customer_email)
    const counts = { orders: c.orders, open_tickets: c.open_tickets }
    const data = {
      customer: {
        name: c.name,
        email: c.email,
        tier: c.tier,
        customer_since: c.created_at.toISOString().slice(0, 10),
      },
      orders: counts.orders,
      open_tickets: counts.open_tickets,
    }
    return {
      data,
      text: `${c.name} <${c.email}>, ${c.tier} tier, customer since ${data.customer.customer_since}; ${plural(counts.orders, 'order')}, ${plural(counts.open_tickets, 'open ticket')}.`,
    }
  },
})
