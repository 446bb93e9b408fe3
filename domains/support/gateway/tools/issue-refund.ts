import '../../audit-actions.ts'
import { createHash } from 'node:crypto'
import { z } from 'zod'
import { ConflictError } from '../../../../src/lib/errors.ts'
import type { JsonObject } from '../../../../src/lib/json.ts'
import {
  defineTool,
  SESSION_ARGUMENT,
  type ToolContext,
  type ToolResult,
  writes,
} from '../../../../src/pack/tool-definition.ts'
import type { ApprovalSummary } from '../../../../src/protocol/approval-summary.ts'
import { ORDER_REF } from '../arguments.ts'
import { dollars, findOrder } from '../order.ts'
import { decideRefund, REFUND_POLICY } from '../refund-policy.ts'

export const issueRefundTool = defineTool({
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
  annotations: writes({ destructive: true, idempotent: true }),
  // Money out: the customer says yes first, asked by the gateway itself.
  consent: 'server',
  scope: 'refund',
  sensitive: ['reason'],
  activity: 'Asking for a refund on order {#order}…',
  topic: 'Refund on order {#order}',
  async run(ctx, input) {
    const order = await findOrder(ctx, input.order, true)
    const request = createHash('sha256')
      .update(JSON.stringify([order.id, input.amount_cents, input.reason]))
      .digest('hex')
    // On a staff decision the request itself is the once-only guard; the key stays the customer's.
    const subject = ctx.onBehalfOf?.sub ?? ctx.identity.sub
    if (ctx.onBehalfOf === undefined) {
      const replay = await earlierAnswer(ctx, input.idempotency_key, request)
      if (replay !== undefined) return replay
    }
    const { rows: sums } = await ctx.tx.query<{ refunded: number }>(
      `SELECT coalesce(sum(amount_cents), 0)::int AS refunded FROM refunds
       WHERE order_id = $1 AND status IN ('issued', 'settled')`,
      [order.id],
    )
    const refunded = sums[0]?.refunded ?? 0
    const decision = decideFor(order, refunded, input.amount_cents, ctx.identity.role === 'staff')
    let result: { data: JsonObject; text: string }
    if (!decision.allowed && decision.code === 'needs_staff') {
      // Within the staff limit: not refused, but put to a support lead (the gateway's route).
      const summary = await refundSummary(ctx, input, order, 'staff')
      const staffRequest = await ctx.requestStaffDecision({ kind: 'refund', summary })
      result = {
        data: {
          status: 'pending_review',
          request_id: staffRequest.id,
          order: `#${order.public_id}`,
          amount_cents: input.amount_cents,
          reason: decision.reason,
        },
        text:
          `Refund of ${dollars(input.amount_cents)} on order #${order.public_id} is pending review by a support lead ` +
          `(request ${staffRequest.id}): ${decision.reason} ` +
          'Nothing is refunded yet; tell the customer a support lead will decide and they will be told here.',
      }
    } else if (!decision.allowed) {
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
        [order.id, input.amount_cents, input.reason, input.idempotency_key, subject],
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
        payload: {
          refund_id: refund.id,
          amount_cents: input.amount_cents,
          ...(ctx.onBehalfOf === undefined
            ? {}
            : { request_id: ctx.onBehalfOf.requestId, for: ctx.onBehalfOf.sub }),
        },
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
    // The first answer under this key (a second one racing it fails on the key); on a staff
    // decision, the answer a retry of the customer's key gets from now on.
    await ctx.tx.query(
      `INSERT INTO idempotency_records (tool, idempotency_key, subject, request_hash, response)
       VALUES ('domain_issue_refund', $1, $2, $3, $4::jsonb)
       ${ctx.onBehalfOf === undefined ? '' : 'ON CONFLICT (tool, subject, idempotency_key) DO UPDATE SET response = EXCLUDED.response'}`,
      [input.idempotency_key, subject, request, JSON.stringify(result)],
    )
    return result
  },
  /**
   * A refund as the person approving it must see it: the order and whose it is, the amount in
   * dollars, what was refunded already and what is left. The order is found as `run` finds it
   * (scoped to the caller: another customer's order is "not found").
   */
  async describe(ctx, input) {
    const order = await findOrder(ctx, input.order, false)
    return refundSummary(ctx, input, order, 'customer')
  },
})

type RefundInput = { order: string; amount_cents: number; reason: string }

/** The policy's decision on refunding `amountCents` of `order`, of which `refundedCents` went back. */
function decideFor(order: FoundOrder, refundedCents: number, amountCents: number, staff: boolean) {
  return decideRefund({
    orderPublicId: order.public_id,
    orderStatus: order.status,
    orderAmountCents: order.amount_cents,
    placedAt: order.placed_at,
    deliveredAt: order.delivered_at,
    tier: order.tier,
    refundedCents,
    amountCents,
    staff,
    now: new Date(),
  })
}
type FoundOrder = Awaited<ReturnType<typeof findOrder>>

/** The answer given earlier under this key by this caller, replayed; a conflict for other input. */
async function earlierAnswer(
  ctx: ToolContext,
  key: string,
  request: string,
): Promise<ToolResult | undefined> {
  const { rows: earlier } = await ctx.tx.query<{
    request_hash: string
    response: { data: JsonObject; text: string }
  }>(
    `SELECT request_hash, response FROM idempotency_records
     WHERE tool = 'domain_issue_refund' AND subject = $1 AND idempotency_key = $2
     FOR UPDATE`,
    [ctx.identity.sub, key],
  )
  const first = earlier[0]
  if (first === undefined) return undefined
  if (first.request_hash !== request) {
    throw new ConflictError(
      'This idempotency key was already used for a different refund request; use a new key for a new refund.',
    )
  }
  return {
    data: { ...first.response.data, replayed: true },
    text: `${first.response.text} (This is the answer to the first request with this key; nothing new was done.)`,
  }
}

/**
 * A refund as the person deciding it must see it. `customer`: the customer consenting, asked in
 * plain words; `staff`: a support lead deciding a request over the self-serve limit.
 */
async function refundSummary(
  ctx: ToolContext,
  input: RefundInput,
  order: FoundOrder,
  audience: 'customer' | 'staff',
): Promise<ApprovalSummary> {
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
  // The customer is asked what will happen: a request for a support lead only when the policy
  // would route it there, not when it would refuse it outright (already refunded, say).
  const routed = decideFor(order, customer.refunded, input.amount_cents, false)
  const toStaff =
    audience === 'customer' &&
    ctx.identity.role !== 'staff' &&
    !routed.allowed &&
    routed.code === 'needs_staff'
  const summary: ApprovalSummary = {
    title: `Refund ${dollars(input.amount_cents)} on order #${order.public_id}`,
    prompt: toStaff
      ? `Ask a support lead to refund ${dollars(input.amount_cents)} for order #${order.public_id}?`
      : audience === 'customer'
        ? `Refund ${dollars(input.amount_cents)} to your card for order #${order.public_id}?`
        : `Refund ${dollars(input.amount_cents)} to ${customer.name} for order #${order.public_id}?`,
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
  if (toStaff) {
    summary.lines.push({
      label: 'Decided by',
      value: `a support lead: refunds over ${dollars(REFUND_POLICY.selfServeLimitCents)} per order need one`,
    })
  }
  if (input.amount_cents > left) {
    summary.lines.push({
      label: 'Note',
      value: `The amount is more than is left to refund: the refund policy will block it.`,
    })
  }
  return summary
}
