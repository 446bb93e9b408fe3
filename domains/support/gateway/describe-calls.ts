import type { ApprovalSummary, Describer } from '../../../src/gateway/approval-summary.ts'
import { dollars, findOrder, findTicket, suggestedTeam } from './tools.ts'

/** domain_issue_refund's input, as its schema parses it. */
interface RefundCall {
  order: string
  amount_cents: number
  reason: string
}

/** domain_escalate_ticket's input, as its schema parses it. */
interface EscalationCall {
  ticket: string
  reason: string
  team?: string | undefined
}

/**
 * A refund as the person approving it must see it: the order and whose it is, the amount in
 * dollars, what was refunded already and what is left. The order is found as the tool finds it
 * (scoped to the caller: another customer's order is "not found").
 */
const describeRefund: Describer<RefundCall> = async (ctx, input) => {
  const order = await findOrder(ctx, input.order, false)
  const { rows } = await ctx.tx.query<{
    name: string
    email: string
    refunded: number
    refunds: number
  }>(
    `SELECT c.name, c.email,
            coalesce(sum(r.amount_cents), 0)::int AS refunded, count(r.id)::int AS refunds
     FROM customers c
     LEFT JOIN refunds r ON r.order_id = $2 AND r.status IN ('issued', 'settled')
     WHERE c.id = $1
     GROUP BY c.id`,
    [order.customer_id, order.id],
  )
  const customer = rows[0]
  if (customer === undefined) throw new Error(`order #${order.public_id} has no customer row`)
  const left = Math.max(0, order.amount_cents - customer.refunded)
  const summary: ApprovalSummary = {
    title: `Refund ${dollars(input.amount_cents)} on order #${order.public_id}`,
    lines: [
      { label: 'Order', value: `#${order.public_id} (${order.status})` },
      { label: 'Customer', value: `${customer.name} <${customer.email}>` },
      { label: 'Amount to refund', value: dollars(input.amount_cents) },
      { label: 'Order total', value: dollars(order.amount_cents) },
      {
        label: 'Already refunded',
        value:
          customer.refunds === 0
            ? dollars(0)
            : `${dollars(customer.refunded)} (${customer.refunds} refund${customer.refunds === 1 ? '' : 's'})`,
      },
      { label: 'Left to refund', value: dollars(left) },
    ],
    model_text: [{ label: 'Reason', text: input.reason }],
  }
  if (input.amount_cents > left) {
    summary.lines.push({
      label: 'Note',
      value: `The amount is more than is left to refund: the refund policy will block it.`,
    })
  }
  return summary
}

/** An escalation: which ticket, about what, to which team (the server's choice when none given). */
const describeEscalation: Describer<EscalationCall> = async (ctx, input) => {
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
}

/** The support pack's summaries of the calls that wait for a person's approval. */
export const supportDescribers = {
  domain_issue_refund: describeRefund,
  domain_escalate_ticket: describeEscalation,
}
