import { z } from 'zod'
import { defineTool, READ_ONLY, SESSION_ARGUMENT } from '../../../../src/pack/tool-definition.ts'
import { EMAIL } from '../arguments.ts'
import { targetCustomer } from '../customer.ts'
import { TICKET_COLUMNS, type TicketRow, ticketJson } from '../ticket.ts'

export const listTicketsTool = defineTool({
  name: 'domain_list_tickets',
  title: "List a customer's tickets",
  description:
    "Lists the customer's tickets, newest first, optionally only open or resolved ones. Use it " +
    'when the user asks about their tickets, cases or earlier requests ("my open tickets", ' +
    '"did I report this before"). Staff name the customer by email.',
  input: z.strictObject({
    session: SESSION_ARGUMENT,
    customer_email: EMAIL.optional().describe('Staff only: whose tickets'),
    status: z
      .enum(['open', 'in_progress', 'resolved', 'escalated'])
      .optional()
      .describe('Only tickets in this status'),
    limit: z.number().int().min(1).max(50).default(10),
  }),
  activity: 'Looking up your tickets…',
  annotations: READ_ONLY,
  isolation: 'statement',
  sensitive: ['customer_email', 'summary'],
  async run(ctx, input) {
    const c = await targetCustomer(ctx, input.customer_email)
    const { rows } = await ctx.tx.query<TicketRow>(
      `SELECT ${TICKET_COLUMNS}
       FROM tickets t JOIN customers c ON c.id = t.customer_id
       LEFT JOIN orders o ON o.id = t.order_id
       WHERE t.customer_id = $1 AND ($2::text IS NULL OR t.status = $2)
       ORDER BY t.created_at DESC, t.public_id LIMIT $3`,
      [c.id, input.status ?? null, input.limit],
    )
    return {
      data: { customer: c.email, tickets: rows.map(ticketJson) },
      text:
        rows.length === 0
          ? `${c.name} has no ${input.status ?? ''} tickets.`.replace('  ', ' ')
          : rows.map((t) => `${t.public_id} (${t.status}): ${t.summary}`).join('\n'),
    }
  },
})
