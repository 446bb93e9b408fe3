import { createHash } from 'node:crypto'
import { z } from 'zod'
import {
  defineTool,
  type GatewayTool,
  READ_ONLY,
  SESSION_ARGUMENT,
  type ToolContext,
} from '../../../src/gateway/gateway-tool.ts'
import { FteError } from '../../../src/lib/errors.ts'
import type { JsonObject } from '../../../src/lib/json.ts'
import { plural } from '../../../src/lib/words.ts'
import type { GatewayServices } from '../../../src/pack/domain-pack.ts'
import { precedents } from './precedents.ts'
import { decideRefund, type Tier } from './refund-policy.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const ORDER_REF = z
  .union([z.string().trim().min(1).max(64), z.number().int().min(0).max(999_999_999_999)])
  .transform(String)
  .describe('The order number as the customer writes it (#4429 or 4429) or its UUID')
const TICKET_REF = z.string().trim().min(1).max(64).describe('The ticket id (T-1042) or its UUID')
const EMAIL = z.string().trim().toLowerCase().max(254).email()

export const dollars = (cents: number) => `$${(cents / 100).toFixed(2)}`

function notFound(what: string): FteError {
  return new FteError('not_found', `No ${what} was found for you.`, { fault: 'caller' })
}

/**
 * What a caller may see, as a predicate on a `customers` row: staff every customer, a customer the
 * row linked to their sign-in (its auth_subject, or its email when the issuer verified it and the
 * row has no subject yet). Its three parameters start at `$first`.
 */
function ownRows(
  ctx: ToolContext,
  alias: string,
  first: number,
): { sql: string; params: unknown[] } {
  const [staff, sub, email] = [`$${first}`, `$${first + 1}`, `$${first + 2}`]
  return {
    sql: `(${staff}::boolean OR ${alias}.auth_subject = ${sub}
           OR (${alias}.auth_subject IS NULL AND ${email}::text IS NOT NULL AND ${alias}.email = ${email}))`,
    params: [
      ctx.identity.role === 'staff',
      ctx.identity.sub,
      ctx.identity.email?.toLowerCase() ?? null,
    ],
  }
}

/** The customer a call is about, in one query: the caller's own, or (staff) the one named by email. */
async function targetCustomer(ctx: ToolContext, email: string | undefined): Promise<CustomerRow> {
  const staff = ctx.identity.role === 'staff'
  if (staff && email === undefined) {
    throw new FteError('invalid_input', 'As staff, name the customer by customer_email.', {
      fault: 'caller',
    })
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

interface CustomerRow extends Record<string, unknown> {
  id: string
  email: string
  name: string
  tier: Tier
  created_at: Date
  orders: number
  open_tickets: number
}

interface OrderRow extends Record<string, unknown> {
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
  throw new FteError(
    'invalid_input',
    `"${ref.slice(0, 64)}" is not an order number such as #4429.`,
    {
      fault: 'caller',
    },
  )
}

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

interface TicketRow extends Record<string, unknown> {
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

const TICKET_COLUMNS = `t.id, t.public_id, t.customer_id, c.email AS customer_email,
  o.public_id AS order_public_id, t.category, t.summary, t.resolution, t.status, t.created_at,
  t.resolved_at`

export async function findTicket(ctx: ToolContext, ref: string, lock: boolean): Promise<TicketRow> {
  const trimmed = ref.trim()
  const byUuid = UUID.test(trimmed)
  if (!byUuid && !/^T-[0-9]{1,12}$/i.test(trimmed)) {
    throw new FteError(
      'invalid_input',
      `"${ref.slice(0, 64)}" is not a ticket id such as T-1042.`,
      {
        fault: 'caller',
      },
    )
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

function ticketJson(t: TicketRow): JsonObject {
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

const TEAMS = ['billing', 'logistics', 'technical', 'customer_care'] as const
type Team = (typeof TEAMS)[number]

/** The team a ticket's category belongs to; customer care when it says nothing. */
export function suggestedTeam(category: string | null, reason: string): Team {
  const text = `${category ?? ''} ${reason}`.toLowerCase()
  if (/refund|charge|billing|invoice|payment|subscription/.test(text)) return 'billing'
  if (/ship|deliver|parcel|carrier|damaged|missing|return/.test(text)) return 'logistics'
  if (/login|password|account|bug|error|app|two-factor|2fa/.test(text)) return 'technical'
  return 'customer_care'
}

/** The support pack's `domain_*` tools. */
export function supportTools({ search }: GatewayServices): GatewayTool[] {
  return [
    defineTool({
      name: 'domain_lookup_customer',
      title: 'Look up a customer',
      description:
        "Returns the customer's profile: name, email, tier (free, pro, enterprise), since when, " +
        'and counts of orders and open tickets. Use it at the start of a support conversation to ' +
        'know who you are helping and their tier ("who am I", "my account", "my plan"). A customer ' +
        'gets their own record; staff name the customer by email.',
      input: z.strictObject({
        session: SESSION_ARGUMENT,
        customer_email: EMAIL.optional().describe('Staff only: the customer to look up'),
      }),
      annotations: READ_ONLY,
      isolation: 'statement',
      sensitive: ['customer_email', 'name'],
      async run(ctx, input) {
        const c = await targetCustomer(ctx, input.customer_email)
        const counts = { orders: c.orders, open_tickets: c.open_tickets }
        const data = {
          customer: {
            name: c.name,
            email: c.email,
            tier: c.tier,
            customer_since: c.created_at.toISOString().slice(0, 10),
          },
          orders: counts.orders,
          open_tickets: counts.open_tickets,
        }
        return {
          data,
          text: `${c.name} <${c.email}>, ${c.tier} tier, customer since ${data.customer.customer_since}; ${plural(counts.orders, 'order')}, ${plural(counts.open_tickets, 'open ticket')}.`,
        }
      },
    }),

    defineTool({
      name: 'domain_lookup_order',
      title: 'Look up an order and its refunds',
      description:
        'Returns one order by its number (#4429, 4429) or UUID: amount, status (placed, shipped, ' +
        'delivered, refunded, cancelled), date, and every refund on it with its status and date. ' +
        'Use it whenever the user mentions an order number, a delivery, a charge or a refund ' +
        '("where is my order", "refund for #4429", "I was charged").',
      input: z.strictObject({ session: SESSION_ARGUMENT, order: ORDER_REF }),
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
    }),

    defineTool({
      name: 'domain_get_ticket',
      title: 'Get a support ticket',
      description:
        'Returns one support ticket by id (T-1042) or UUID: status, category, order, summary and ' +
        'resolution. Use it when the user quotes a ticket number or asks about "my ticket".',
      input: z.strictObject({ session: SESSION_ARGUMENT, ticket: TICKET_REF }),
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
    }),

    defineTool({
      name: 'domain_list_tickets',
      title: "List a customer's tickets",
      description:
        "Lists the customer's tickets, newest first, optionally only open or resolved ones. Use it " +
        'when the user asks about their tickets, cases or earlier requests ("my open tickets", ' +
        '"did I report this before"). Staff name the customer by email.',
      input: z.strictObject({
        session: SESSION_ARGUMENT,
        customer_email: EMAIL.optional().describe('Staff only: whose tickets'),
        status: z
          .enum(['open', 'in_progress', 'resolved', 'escalated'])
          .optional()
          .describe('Only tickets in this status'),
        limit: z.number().int().min(1).max(50).default(10),
      }),
      annotations: READ_ONLY,
      isolation: 'statement',
      sensitive: ['customer_email', 'summary'],
      async run(ctx, input) {
        const c = await targetCustomer(ctx, input.customer_email)
        const { rows } = await ctx.tx.query<TicketRow>(
          `SELECT ${TICKET_COLUMNS}
           FROM tickets t JOIN customers c ON c.id = t.customer_id
           LEFT JOIN orders o ON o.id = t.order_id
           WHERE t.customer_id = $1 AND ($2::text IS NULL OR t.status = $2)
           ORDER BY t.created_at DESC, t.public_id LIMIT $3`,
          [c.id, input.status ?? null, input.limit],
        )
        return {
          data: { customer: c.email, tickets: rows.map(ticketJson) },
          text:
            rows.length === 0
              ? `${c.name} has no ${input.status ?? ''} tickets.`.replace('  ', ' ')
              : rows.map((t) => `${t.public_id} (${t.status}): ${t.summary}`).join('\n'),
        }
      },
    }),

    defineTool({
      name: 'domain_find_similar_cases',
      title: 'Find similar resolved cases',
      description:
        'Searches the library of resolved support tickets for cases like the one described and ' +
        'returns the closest with their resolutions, a distance (0 = same, 1 = unrelated) and a ' +
        'weak-match flag. Use it BEFORE proposing a fix whenever the user describes a problem, ' +
        'complaint or symptom ("has this happened before", "how was this fixed"). Weak matches ' +
        "mean nothing similar was found: do not present them as precedent. Other customers' " +
        'cases come without a ticket id and with names, emails, phones and order numbers taken out.',
      input: z.strictObject({
        session: SESSION_ARGUMENT,
        description: z
          .string()
          .trim()
          .min(3)
          .max(2000)
          .describe("The problem, in the user's words"),
        limit: z.number().int().min(1).max(10).default(5),
      }),
      annotations: READ_ONLY,
      sensitive: ['description', 'summary'],
      async run(ctx, input) {
        const hits = await search.search(
          { text: input.description, source: 'past_case', k: input.limit },
          ctx.tx,
        )
        const cases = await precedents(ctx.tx, hits, (alias, first) => ownRows(ctx, alias, first))
        const strong = cases.filter((c) => !c.weak_match)
        return {
          data: { cases },
          text:
            strong.length === 0
              ? 'No similar resolved case was found (every match is weak).'
              : strong
                  .map(
                    (c) =>
                      `${c.ticket_id ?? 'A past case'} (distance ${c.distance}): ${c.summary} Resolution: ${c.resolution}`,
                  )
                  .join('\n'),
        }
      },
    }),

    defineTool({
      name: 'domain_search_policies',
      title: 'Search the policy documents',
      description:
        'Searches the policy documents (refunds, shipping, escalation) and returns the passages ' +
        'closest to the question. Use it before stating any rule, window, limit or timeframe ' +
        '("how long does a refund take", "can I return this", "what is the policy").',
      input: z.strictObject({
        session: SESSION_ARGUMENT,
        question: z.string().trim().min(3).max(2000),
        limit: z.number().int().min(1).max(10).default(3),
      }),
      annotations: READ_ONLY,
      async run(ctx, input) {
        const hits = await search.search(
          { text: input.question, source: 'policy', k: input.limit },
          ctx.tx,
        )
        const passages = hits.map((h) => ({
          policy: h.title,
          passage: h.chunk,
          distance: Math.round(h.distance * 1000) / 1000,
          weak_match: h.weak,
        }))
        return {
          data: { passages },
          text:
            passages.length === 0
              ? 'No policy passage was found.'
              : passages.map((p) => `[${p.policy}] ${p.passage}`).join('\n\n'),
        }
      },
    }),

    defineTool({
      name: 'domain_issue_refund',
      title: 'Issue a refund',
      description:
        'Asks to refund an amount on an order. The server decides by the refund policy: the total ' +
        'refunded never exceeds the order amount, an order already refunded in full is never paid ' +
        'twice (escalate instead), tiers have refund windows, and larger amounts need staff or ' +
        'billing. Returns issued (with the refund) or blocked (with the reason to tell the user). ' +
        'Give a fresh idempotency_key per refund and reuse it only to retry the same request.',
      input: z.strictObject({
        session: SESSION_ARGUMENT,
        order: ORDER_REF,
        amount_cents: z.number().int().min(1).max(10_000_000).describe('The amount, in cents'),
        reason: z.string().trim().min(3).max(500).describe('What is being refunded and why'),
        idempotency_key: z
          .string()
          .regex(/^[A-Za-z0-9._:-]{8,200}$/, {
            error: 'must be 8-200 characters of letters, digits and . _ : -',
          })
          .describe(
            '8-200 characters of letters, digits . _ : -; the same key replays the first answer',
          ),
      }),
      annotations: {
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: true,
        openWorldHint: false,
      },
      scope: 'refund',
      sensitive: ['reason'],
      async run(ctx, input) {
        const order = await findOrder(ctx, input.order, true)
        const request = createHash('sha256')
          .update(JSON.stringify([order.id, input.amount_cents, input.reason]))
          .digest('hex')
        const { rows: earlier } = await ctx.tx.query<{
          subject: string
          request_hash: string
          response: { data: JsonObject; text: string }
        }>(
          `SELECT subject, request_hash, response FROM idempotency_records
           WHERE tool = 'domain_issue_refund' AND subject = $1 AND idempotency_key = $2
           FOR UPDATE`,
          [ctx.identity.sub, input.idempotency_key],
        )
        const first = earlier[0]
        if (first !== undefined) {
          if (first.request_hash !== request) {
            throw new FteError(
              'conflict',
              'This idempotency key was already used for a different refund request; use a new key for a new refund.',
              { fault: 'caller' },
            )
          }
          return {
            data: { ...first.response.data, replayed: true },
            text: `${first.response.text} (This is the answer to the first request with this key; nothing new was done.)`,
          }
        }
        const { rows: sums } = await ctx.tx.query<{ refunded: number }>(
          `SELECT coalesce(sum(amount_cents), 0)::int AS refunded FROM refunds
           WHERE order_id = $1 AND status IN ('issued', 'settled')`,
          [order.id],
        )
        const refunded = sums[0]?.refunded ?? 0
        const decision = decideRefund({
          orderPublicId: order.public_id,
          orderStatus: order.status,
          orderAmountCents: order.amount_cents,
          placedAt: order.placed_at,
          deliveredAt: order.delivered_at,
          tier: order.tier,
          refundedCents: refunded,
          amountCents: input.amount_cents,
          staff: ctx.identity.role === 'staff',
          now: new Date(),
        })
        let result: { data: JsonObject; text: string }
        if (!decision.allowed) {
          await ctx.record({
            action: 'refund_blocked',
            target: `order:${order.public_id}`,
            payload: { amount_cents: input.amount_cents, rule: decision.code },
            result: { reason: decision.reason },
          })
          result = {
            data: {
              status: 'blocked',
              order: `#${order.public_id}`,
              amount_cents: input.amount_cents,
              rule: decision.code,
              reason: decision.reason,
            },
            text: `Refund blocked: ${decision.reason}`,
          }
        } else {
          const { rows } = await ctx.tx.query<{ id: string; issued_at: Date }>(
            `INSERT INTO refunds (order_id, amount_cents, reason, status, idempotency_key, requested_by)
             VALUES ($1, $2, $3, 'issued', $4, $5) RETURNING id, issued_at`,
            [order.id, input.amount_cents, input.reason, input.idempotency_key, ctx.identity.sub],
          )
          const refund = rows[0]
          if (refund === undefined) throw new Error('the refund was not written')
          const total = refunded + input.amount_cents
          if (total >= order.amount_cents) {
            await ctx.tx.query(`UPDATE orders SET status = 'refunded' WHERE id = $1`, [order.id])
          }
          await ctx.record({
            action: 'refund_issued',
            target: `order:${order.public_id}`,
            payload: { refund_id: refund.id, amount_cents: input.amount_cents },
            result: { refunded_total_cents: total },
          })
          result = {
            data: {
              status: 'issued',
              refund_id: refund.id,
              order: `#${order.public_id}`,
              amount_cents: input.amount_cents,
              refunded_total_cents: total,
              remaining_cents: order.amount_cents - total,
              issued_at: refund.issued_at.toISOString(),
            },
            text:
              `Refund of ${dollars(input.amount_cents)} issued on order #${order.public_id} ` +
              `(${dollars(total)} of ${dollars(order.amount_cents)} now refunded). Card refunds ` +
              'usually arrive in 5-10 business days.',
          }
        }
        await ctx.tx.query(
          `INSERT INTO idempotency_records (tool, idempotency_key, subject, request_hash, response)
           VALUES ('domain_issue_refund', $1, $2, $3, $4::jsonb)`,
          [input.idempotency_key, ctx.identity.sub, request, JSON.stringify(result)],
        )
        return result
      },
    }),

    defineTool({
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
      }),
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
      sensitive: ['reason'],
      async run(ctx, input) {
        const t = await findTicket(ctx, input.ticket, true)
        if (t.status === 'resolved') {
          throw new FteError(
            'conflict',
            `${t.public_id} is resolved; open a new ticket for a new problem instead.`,
            { fault: 'caller' },
          )
        }
        const team = input.team ?? suggestedTeam(t.category, input.reason)
        const already = t.status === 'escalated'
        if (!already) {
          await ctx.tx.query(`UPDATE tickets SET status = 'escalated' WHERE id = $1`, [t.id])
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
    }),

    defineTool({
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
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
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
    }),
  ]
}
