import { z } from 'zod'
import { defineWebhookEvent } from '../../../src/pack/jobs-contract.ts'

const orderNumber = z
  .string()
  .regex(/^#?[0-9]{1,12}$/, { error: 'must be an order number such as 4429' })
const ticketId = z
  .string()
  .regex(/^T-[0-9]{1,12}$/i, { error: 'must be a ticket id such as T-1042' })

/** The bank returned a refund: trace it and tell the customer before they have to ask. */
const refundFailed = defineWebhookEvent({
  kind: 'store.refund_failed',
  data: z.strictObject({ order: orderNumber, reason: z.string().max(500).optional() }),
  async work(tx, data) {
    const order = data.order.replace(/^#/, '')
    const { rows } = await tx.query<{ customer_id: string }>(
      'SELECT customer_id FROM orders WHERE public_id = $1',
      [order],
    )
    const row = rows[0]
    if (row === undefined) return undefined
    return {
      record: row.customer_id,
      subject: `About the refund for order #${order}`,
      message:
        `The payment provider reports that the refund for order #${order} failed` +
        `${data.reason === undefined ? '' : ` (${data.reason})`}. Look up the order and its ` +
        'refunds, check the refund policy, and write to the customer: what happened and what ' +
        'happens next. A new refund is for a person to decide; do not promise one.',
    }
  },
})

/** A helpdesk opened a ticket by another channel: acknowledge it with what the records say. */
const ticketCreated = defineWebhookEvent({
  kind: 'helpdesk.ticket_created',
  data: z.strictObject({ ticket: ticketId }),
  async work(tx, data) {
    const { rows } = await tx.query<{ customer_id: string; public_id: string }>(
      'SELECT customer_id, public_id FROM tickets WHERE public_id = upper($1)',
      [data.ticket],
    )
    const row = rows[0]
    if (row === undefined) return undefined
    return {
      record: row.customer_id,
      subject: `We have your request ${row.public_id}`,
      message:
        `Ticket ${row.public_id} was just opened for this customer. Read it, look up what it ` +
        'concerns, search the policies and similar past cases, and write to the customer: that ' +
        'the request is in hand, and what the policy says happens next.',
    }
  },
})

export const STORE_EVENTS = [refundFailed, ticketCreated]
