import { z } from 'zod'
import { defineTool, READ_ONLY, SESSION_ARGUMENT } from '../../../../src/pack/tool-definition.ts'
import { TICKET_REF } from '../arguments.ts'
import { findTicket, ticketJson } from '../ticket.ts'

export const getTicketTool = defineTool({
  name: 'domain_get_ticket',
  title: 'Get a support ticket',
  description:
    'Returns one support ticket by id (T-1042) or UUID: status, category, order, summary and ' +
    'resolution. Use it when the user quotes a ticket number or asks about "my ticket".',
  input: z.strictObject({ session: SESSION_ARGUMENT, ticket: TICKET_REF }),
  activity: 'Looking up ticket {ticket}…',
  topic: 'Ticket {ticket}',
  annotations: READ_ONLY,
  isolation: 'statement',
  sensitive: ['summary'],
  async run(ctx, input) {
    const t = await findTicket(ctx, input.ticket, false)
    return {
      data: ticketJson(t),
      text: `${t.public_id} (${t.status}): ${t.summary}${t.resolution ? ` Resolution: ${t.resolution}` : ''}`,
    }
  },
})
