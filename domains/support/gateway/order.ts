import { InvalidInputError } from '../../../src/lib/errors.ts'
import type { ToolContext } from '../../../src/pack/tool-definition.ts'
import { UUID } from './arguments.ts'
import { notFound, ownRows } from './caller-scope.ts'
import type { Tier } from './refund-policy.ts'

/** An amount in cents as a person reads it: $12.50. */
export const dollars = (cents: number) => `$${(cents / 100).toFixed(2)}`

export interface OrderRow extends Record<string, unknown> {
  id: string
  public_id: string
  customer_id: string
  placed_at: Date
  delivered_at: Date | null
  amount_cents: number
  status: string
  tier: Tier
}

function orderWhere(ref: string): { clause: string; value: string } {
  const trimmed = ref.replace(/^#/, '').trim()
  if (UUID.test(trimmed)) return { clause: 'o.id = $1::uuid', value: trimmed }
  if (/^[0-9]{1,12}$/.test(trimmed)) return { clause: 'o.public_id = $1', value: trimmed }
  throw new InvalidInputError(`"${ref.slice(0, 64)}" is not an order number such as #4429.`)
}

/** The order `ref` names, if the caller may see it; `lock` holds it until the call commits. */
export async function findOrder(ctx: ToolContext, ref: string, lock: boolean): Promise<OrderRow> {
  const where = orderWhere(ref)
  const scope = ownRows(ctx, 'c', 2)
  const { rows } = await ctx.tx.query<OrderRow>(
    `SELECT o.id, o.public_id, o.customer_id, o.placed_at, o.delivered_at, o.amount_cents,
            o.status, c.tier
     FROM orders o JOIN customers c ON c.id = o.customer_id
     WHERE ${where.clause} AND ${scope.sql}
     ${lock ? 'FOR UPDATE OF o' : ''}`,
    [where.value, ...scope.params],
  )
  const order = rows[0]
  if (order === undefined) throw notFound(`order ${ref.slice(0, 64)}`)
  return order
}
