import { z } from 'zod'
import { defineTool, READ_ONLY, SESSION_ARGUMENT } from '../../../../src/pack/tool-definition.ts'
import { ORDER_REF } from '../arguments.ts'
import { dollars, findOrder } from '../order.ts'

export const lookupOrderTool = defineTool({
  name: 'domain_lookup_order',
  title: 'Look up an order and its refunds',
  description:
    'Returns one order by its number (#4429, 4429) or UUID: amount, status (placed, shipped, ' +
    'delivered, refunded, cancelled), date, and every refund on it with its status and date. ' +
    'Use it whenever the user mentions an order number, a delivery, a charge or a refund ' +
    '("where is my order", "refund for #4429", "I was charged").',
  input: z.strictObject({ session: SESSION_ARGUMENT, order: ORDER_REF }),
  activity: 'Looking up order {#order}…',
  topic: 'Order {#order}',
  annotations: READ_ONLY,
  async run(ctx, input) {
    const order = await findOrder(ctx, input.order, false)
    const { rows: refunds } = await ctx.tx.query<{
      amount_cents: number
      status: string
      reason: string
      issued_at: Date
    }>(
      `SELECT amount_cents, status, reason, issued_at FROM refunds
       WHERE order_id = $1 ORDER BY issued_at`,
      [order.id],
    )
    const data = {
      order: `#${order.public_id}`,
      status: order.status,
      amount: dollars(order.amount_cents),
      amount_cents: order.amount_cents,
      placed_at: order.placed_at.toISOString(),
      delivered_at: order.delivered_at?.toISOString() ?? null,
      refunds: refunds.map((r) => ({
        amount: dollars(r.amount_cents),
        amount_cents: r.amount_cents,
        status: r.status,
        reason: r.reason,
        issued_at: r.issued_at.toISOString(),
      })),
    }
    const refundText =
      refunds.length === 0
        ? 'no refunds'
        : refunds
            .map(
              (r) =>
                `refund ${dollars(r.amount_cents)} ${r.status} on ${r.issued_at.toISOString().slice(0, 10)}`,
            )
            .join('; ')
    return {
      data,
      text: `Order #${order.public_id}: ${dollars(order.amount_cents)}, ${order.status}, placed ${data.placed_at.slice(0, 10)}; ${refundText}.`,
    }
  },
})
