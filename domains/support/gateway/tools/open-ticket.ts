import { z } from 'zod'
import { defineTool, SESSION_ARGUMENT, writes } from '../../../../src/pack/tool-definition.ts'
import { EMAIL, ORDER_REF } from '../arguments.ts'
import { notFound } from '../caller-scope.ts'
import { targetCustomer } from '../customer.ts'
import { findOrder } from '../order.ts'

export const openTicketTool = defineTool({
  name: 'domain_open_ticket',
  title: 'Open a support ticket',
  description:
    "Opens a new ticket for the customer's problem, optionally about an order, and returns " +
    'its id (T-5001). Use it when the user reports a new problem that needs follow-up and no ' +
    'open ticket covers it. Staff name the customer by email.',
  input: z.strictObject({
    session: SESSION_ARGUMENT,
    summary: z.string().trim().min(5).max(1000).describe('The problem in one or two sentences'),
    order: ORDER_REF.optional(),
    customer_email: EMAIL.optional().describe('Staff only: for whom'),
    category: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,62}$/)
      .optional()
      .describe('A short label such as refund_delay or damaged_item'),
  }),
  activity: 'Opening a ticket…',
  annotations: writes({ destructive: false, idempotent: false }),
  sensitive: ['summary', 'customer_email'],
  async run(ctx, input) {
    const c = await targetCustomer(ctx, input.customer_email)
    let orderId: string | null = null
    if (input.order !== undefined) {
      const order = await findOrder(ctx, input.order, false)
      if (order.customer_id !== c.id) throw notFound(`order ${input.order}`)
      orderId = order.id
    }
    for (let attempt = 0; attempt < 20; attempt++) {
      const { rows } = await ctx.tx.query<{ public_id: string }>(
        `INSERT INTO tickets (public_id, customer_id, order_id, category, summary, status)
         SELECT 'T-' || nextval('ticket_number'), $1, $2, $3, $4, 'open'
         ON CONFLICT (public_id) DO NOTHING RETURNING public_id`,
        [c.id, orderId, input.category ?? null, input.summary],
      )
      const created = rows[0]
      if (created !== undefined) {
        return {
          data: { ticket_id: created.public_id, status: 'open' },
          text: `Opened ${created.public_id} for ${c.name}.`,
        }
      }
    }
    throw new Error('no free ticket number')
  },
})
