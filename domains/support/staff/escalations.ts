import '../audit-actions.ts'
import { z } from 'zod'
import { ConflictError, NotFoundError } from '../../../src/lib/errors.ts'
import {
  defineAction,
  type InboxEntry,
  type InboxSource,
  type StaffActionContext,
} from '../../../src/pack/staff-contract.ts'
import type { Queryable } from '../../../src/store/database.ts'
import { TEAMS } from '../gateway/tools/escalate-ticket.ts'

interface OpenEscalation extends Record<string, unknown> {
  escalation_id: string
  ticket_id: string
  public_id: string
  summary: string
  category: string | null
  team: string
  reason: string
  issue: string | null
  tried: string | null
  sentiment: string | null
  conversation_id: string | null
  created_at: Date
  customer_name: string
  customer_email: string
  customer_tier: string
  customer_since: Date
  auth_subject: string | null
  order_public_id: string | null
  order_amount_cents: number | null
}

const OPEN = `SELECT e.id AS escalation_id, t.id AS ticket_id, t.public_id, t.summary, t.category,
       e.team, e.reason, e.issue, e.tried, e.sentiment, e.conversation_id, e.created_at,
       c.name AS customer_name, c.email AS customer_email, c.tier AS customer_tier,
       c.created_at AS customer_since, c.auth_subject,
       o.public_id AS order_public_id, o.amount_cents AS order_amount_cents
  FROM escalations e
  JOIN tickets t ON t.id = e.ticket_id
  JOIN customers c ON c.id = t.customer_id
  LEFT JOIN orders o ON o.id = t.order_id
  WHERE e.closed_at IS NULL AND t.status = 'escalated'`

const dollars = (cents: number) => `$${(cents / 100).toFixed(2)}`

/** The escalation packet as staff read it: customer, issue, what was tried, why, the team. */
function entryOf(row: OpenEscalation): InboxEntry {
  const lines = [
    {
      label: 'Customer',
      value: `${row.customer_name} <${row.customer_email}>, ${row.customer_tier} tier, customer since ${row.customer_since.toISOString().slice(0, 10)}`,
    },
    { label: 'Issue', value: row.issue ?? row.summary },
    ...(row.order_public_id === null
      ? []
      : [
          {
            label: 'Order',
            value: `#${row.order_public_id}${row.order_amount_cents === null ? '' : ` (${dollars(row.order_amount_cents)})`}`,
          },
        ]),
    { label: 'Tried', value: row.tried ?? 'Not said' },
    ...(row.sentiment === null ? [] : [{ label: 'Sentiment', value: row.sentiment }]),
    { label: 'Why escalated', value: row.reason },
    { label: 'Team', value: row.team },
  ]
  return {
    key: row.public_id,
    title: `${row.public_id}: ${row.summary}`,
    lines,
    customer: row.auth_subject,
    conversationId: row.conversation_id,
    createdAt: row.created_at,
  }
}

/** The open escalation of a ticket, locked for an action; refused when there is none. */
async function lockOpen(tx: Queryable, key: string): Promise<OpenEscalation> {
  const { rows } = await tx.query<OpenEscalation>(
    `${OPEN} AND t.public_id = $1 ORDER BY e.created_at DESC LIMIT 1 FOR UPDATE OF e, t`,
    [key],
  )
  const row = rows[0]
  if (row === undefined) throw new NotFoundError(`No open escalation of ${key} was found.`)
  return row
}

const resolve = defineAction({
  name: 'resolve',
  label: 'Resolve the ticket',
  fields: [{ name: 'resolution', label: 'Resolution', type: 'text', required: true }],
  input: z.strictObject({
    resolution: z
      .string({ error: 'say how it was resolved' })
      .trim()
      .min(3, { error: 'say how it was resolved' })
      .max(2000),
  }),
  async run(ctx: StaffActionContext, key, input) {
    const open = await lockOpen(ctx.tx, key)
    await ctx.tx.query(
      `UPDATE tickets SET status = 'resolved', resolution = $2, resolved_at = now() WHERE id = $1`,
      [open.ticket_id, input.resolution],
    )
    await ctx.tx.query(
      'UPDATE escalations SET closed_at = now() WHERE ticket_id = $1 AND closed_at IS NULL',
      [open.ticket_id],
    )
    await ctx.record({
      action: 'ticket_resolved',
      conversationId: open.conversation_id,
      target: `ticket:${open.public_id}`,
      payload: { team: open.team, resolved_by: ctx.identity.sub },
      result: { status: 'resolved' },
    })
    return { message: `${open.public_id} is resolved.`, done: true }
  },
})

const reassign = defineAction({
  name: 'reassign',
  label: 'Give it to another team',
  fields: [{ name: 'team', label: 'Team', type: 'choice', choices: TEAMS, required: true }],
  input: z.strictObject({
    team: z.enum(TEAMS, { error: `team must be one of ${TEAMS.join(', ')}` }),
  }),
  async run(ctx, key, input) {
    const open = await lockOpen(ctx.tx, key)
    if (open.team === input.team) {
      throw new ConflictError(`${open.public_id} is with the ${input.team} team already.`)
    }
    await ctx.tx.query('UPDATE escalations SET team = $2 WHERE id = $1', [
      open.escalation_id,
      input.team,
    ])
    await ctx.record({
      action: 'ticket_reassigned',
      conversationId: open.conversation_id,
      target: `ticket:${open.public_id}`,
      payload: { from: open.team, to: input.team },
    })
    return { message: `${open.public_id} is with the ${input.team} team now.`, done: false }
  },
})

/** Escalated tickets in the staff inbox, each with its packet. */
export const escalationsInbox: InboxSource = {
  kind: 'escalation',
  label: 'Escalated tickets',
  async list(q) {
    const { rows } = await q.query<OpenEscalation>(
      `SELECT DISTINCT ON (ticket_id) * FROM (${OPEN}) open_escalations
       ORDER BY ticket_id, created_at DESC`,
    )
    return rows.map(entryOf).sort((a, b) => Number(a.createdAt) - Number(b.createdAt))
  },
  actions: [resolve, reassign],
}
