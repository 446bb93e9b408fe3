import '../../audit-actions.ts'
import { z } from 'zod'
import { ConflictError } from '../../../../src/lib/errors.ts'
import { defineTool, SESSION_ARGUMENT, writes } from '../../../../src/pack/tool-definition.ts'
import { TICKET_REF } from '../arguments.ts'
import { findTicket } from '../ticket.ts'

export const TEAMS = ['billing', 'logistics', 'technical', 'customer_care'] as const
type Team = (typeof TEAMS)[number]

/** The team a ticket's category belongs to; customer care when it says nothing. */
function suggestedTeam(category: string | null, reason: string): Team {
  const text = `${category ?? ''} ${reason}`.toLowerCase()
  if (/refund|charge|billing|invoice|payment|subscription/.test(text)) return 'billing'
  if (/ship|deliver|parcel|carrier|damaged|missing|return/.test(text)) return 'logistics'
  if (/login|password|account|bug|error|app|two-factor|2fa/.test(text)) return 'technical'
  return 'customer_care'
}

export const escalateTicketTool = defineTool({
  name: 'domain_escalate_ticket',
  title: 'Escalate a ticket to a person',
  description:
    'Hands a ticket to a human team: sets it to escalated with the reason and a suggested team ' +
    '(billing, logistics, technical, customer_care). Use it when a refund is blocked and needs ' +
    'billing, a refund has not arrived after it was issued, the user is upset or asks for a ' +
    'person, or a pro/enterprise issue stays unresolved.',
  input: z.strictObject({
    session: SESSION_ARGUMENT,
    ticket: TICKET_REF,
    reason: z.string().trim().min(3).max(1000).describe('Why it needs a person, briefly'),
    team: z.enum(TEAMS).optional().describe('Leave out to let the server suggest one'),
    issue: z
      .string()
      .trim()
      .min(3)
      .max(1000)
      .optional()
      .describe('The escalation note: the issue in one sentence, with the order and amount if any'),
    tried: z
      .string()
      .trim()
      .min(3)
      .max(2000)
      .optional()
      .describe('The escalation note: what was checked or done, from tool results'),
    sentiment: z
      .string()
      .trim()
      .min(3)
      .max(200)
      .optional()
      .describe("The escalation note: the customer's mood, with the words that show it"),
  }),
  activity: 'Passing ticket {ticket} to a person from our team…',
  topic: 'Ticket {ticket}',
  annotations: writes({ destructive: false, idempotent: true }),
  // Hands the case to people: the customer agrees first, asked by the Worker.
  consent: 'host',
  sensitive: ['reason', 'issue', 'tried', 'sentiment'],
  async run(ctx, input) {
    const t = await findTicket(ctx, input.ticket, true)
    if (t.status === 'resolved') {
      throw new ConflictError(
        `${t.public_id} is resolved; open a new ticket for a new problem instead.`,
      )
    }
    const team = input.team ?? suggestedTeam(t.category, input.reason)
    const already = t.status === 'escalated'
    if (!already) {
      await ctx.tx.query(`UPDATE tickets SET status = 'escalated' WHERE id = $1`, [t.id])
      // The packet staff receive in their inbox: the skill's note, kept with the ticket.
      await ctx.tx.query(
        `INSERT INTO escalations
           (ticket_id, conversation_id, team, reason, issue, tried, sentiment, requested_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          t.id,
          ctx.conversationId ?? null,
          team,
          input.reason,
          input.issue ?? null,
          input.tried ?? null,
          input.sentiment ?? null,
          ctx.identity.sub,
        ],
      )
      await ctx.record({
        action: 'ticket_escalated',
        target: `ticket:${t.public_id}`,
        payload: { team, previous_status: t.status },
        result: { status: 'escalated' },
      })
    }
    return {
      data: { ticket_id: t.public_id, status: 'escalated', team, already_escalated: already },
      text: already
        ? `${t.public_id} was already escalated; the ${team} team has it.`
        : `${t.public_id} is escalated to the ${team} team.`,
    }
  },
  /** An escalation: which ticket, about what, to which team (the server's choice when none given). */
  async describe(ctx, input) {
    const ticket = await findTicket(ctx, input.ticket, false)
    const team = input.team ?? suggestedTeam(ticket.category, input.reason)
    const status =
      ticket.status === 'resolved'
        ? 'resolved: the escalation will be refused (open a new ticket instead)'
        : ticket.status === 'escalated'
          ? 'already escalated: nothing will change'
          : ticket.status
    return {
      title: `Escalate ticket ${ticket.public_id} to the ${team} team`,
      lines: [
        { label: 'Ticket', value: ticket.public_id },
        { label: 'Subject', value: ticket.summary },
        ...(ticket.order_public_id === null
          ? []
          : [{ label: 'Order', value: `#${ticket.order_public_id}` }]),
        { label: 'Customer', value: ticket.customer_email },
        { label: 'Status now', value: status },
        {
          label: 'Team',
          value: input.team === undefined ? `${team} (chosen by the server)` : team,
        },
      ],
      model_text: [{ label: 'Reason', text: input.reason }],
    }
  },
})
