import { InvalidInputError } from '../../../src/lib/errors.ts'
import type { JsonObject } from '../../../src/lib/json.ts'
import type { ToolContext } from '../../../src/pack/tool-definition.ts'
import { UUID } from './arguments.ts'
import { notFound, ownRows } from './caller-scope.ts'

export interface TicketRow extends Record<string, unknown> {
  id: string
  public_id: string
  customer_id: string
  customer_email: string
  order_public_id: string | null
  category: string | null
  summary: string
  resolution: string | null
  status: string
  created_at: Date
  resolved_at: Date | null
}

export const TICKET_COLUMNS = `t.id, t.public_id, t.customer_id, c.email AS customer_email,
  o.public_id AS order_public_id, t.category, t.summary, t.resolution, t.status, t.created_at,
  t.resolved_at`

/** The ticket `ref` names, if the caller may see it; `lock` holds it until the call commits. */
export async function findTicket(ctx: ToolContext, ref: string, lock: boolean): Promise<TicketRow> {
  const trimmed = ref.trim()
  const byUuid = UUID.test(trimmed)
  if (!byUuid && !/^T-[0-9]{1,12}$/i.test(trimmed)) {
    throw new InvalidInputError(`"${ref.slice(0, 64)}" is not a ticket id such as T-1042.`)
  }
  const scope = ownRows(ctx, 'c', 2)
  const { rows } = await ctx.tx.query<TicketRow>(
    `SELECT ${TICKET_COLUMNS}
     FROM tickets t JOIN customers c ON c.id = t.customer_id
     LEFT JOIN orders o ON o.id = t.order_id
     WHERE ${byUuid ? 't.id = $1::uuid' : 't.public_id = upper($1)'} AND ${scope.sql}
     ${lock ? 'FOR UPDATE OF t' : ''}`,
    [trimmed, ...scope.params],
  )
  const ticket = rows[0]
  if (ticket === undefined) throw notFound(`ticket ${ref.slice(0, 64)}`)
  return ticket
}

export function ticketJson(t: TicketRow): JsonObject {
  return {
    ticket_id: t.public_id,
    status: t.status,
    category: t.category,
    order: t.order_public_id === null ? null : `#${t.order_public_id}`,
    summary: t.summary,
    resolution: t.resolution,
    created_at: t.created_at.toISOString(),
    resolved_at: t.resolved_at?.toISOString() ?? null,
  }
}
