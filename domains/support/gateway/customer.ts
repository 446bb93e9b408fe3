import { InvalidInputError } from '../../../src/lib/errors.ts'
import type { ToolContext } from '../../../src/pack/tool-definition.ts'
import { notFound, ownRows } from './caller-scope.ts'
import type { Tier } from './refund-policy.ts'

/** The customer a call is about, in one query: the caller's own, or (staff) the one named by email. */
export async function targetCustomer(
  ctx: ToolContext,
  email: string | undefined,
): Promise<CustomerRow> {
  const staff = ctx.identity.role === 'staff'
  if (staff && email === undefined) {
    throw new InvalidInputError('As staff, name the customer by customer_email.')
  }
  const scope = ownRows(ctx, 'c', 2)
  const { rows } = await ctx.tx.query<CustomerRow>(
    `SELECT c.id, c.email, c.name, c.tier, c.created_at,
            (SELECT count(*)::int FROM orders WHERE customer_id = c.id) AS orders,
            (SELECT count(*)::int FROM tickets WHERE customer_id = c.id
               AND status IN ('open', 'in_progress', 'escalated')) AS open_tickets
     FROM customers c
     WHERE ${scope.sql} AND ($1::text IS NULL OR c.email = $1)
     ORDER BY (c.auth_subject IS NOT DISTINCT FROM $3) DESC LIMIT 1`,
    [email ?? null, ...scope.params],
  )
  const row = rows[0]
  if (row === undefined) {
    if (staff) throw notFound('customer')
    // A customer naming another customer's email: their own record may well exist.
    if (email !== undefined) throw notFound('customer with that email')
    throw notFound('customer record linked to your sign-in')
  }
  return row
}

export interface CustomerRow extends Record<string, unknown> {
  id: string
  email: string
  name: string
  tier: Tier
  created_at: Date
  orders: number
  open_tickets: number
}
