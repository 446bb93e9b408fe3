/**
 * The refund policy as code: the same numbers as demo/policies/refund-policy.md (a test reads the
 * document and checks they agree). The gateway decides; a model only asks.
 */
export const REFUND_POLICY = {
  /** Days a refund may be asked for, per tier (the document's change-of-mind windows). */
  windowDays: { free: 14, pro: 30, enterprise: 60 },
  /** Up to this in total per order the Worker or any agent may refund (cents). */
  selfServeLimitCents: 25_000,
  /** Up to this in total per order a support lead (staff) may refund; above it only billing. */
  staffLimitCents: 50_000,
  /** Order statuses a refund can be issued for: placed (a cancellation) and delivered (a return). */
  refundableStatuses: ['placed', 'delivered'] as const,
} as const

export type Tier = keyof typeof REFUND_POLICY.windowDays

export interface RefundCase {
  orderPublicId: string
  orderStatus: string
  orderAmountCents: number
  placedAt: Date
  /** When it was delivered; unknown for older orders (the window then runs from the order date). */
  deliveredAt: Date | null
  tier: Tier
  /** Refunds already issued or settled on the order (failed ones do not count). */
  refundedCents: number
  amountCents: number
  staff: boolean
  now: Date
}

export type RefundDecision = { allowed: true } | { allowed: false; code: string; reason: string }

const dollars = (cents: number) => `$${(cents / 100).toFixed(2)}`

/** Allowed, or the first rule that forbids it, in words the customer can be told. */
export function decideRefund(c: RefundCase): RefundDecision {
  const remaining = c.orderAmountCents - c.refundedCents
  if (c.tier === 'enterprise') {
    return {
      allowed: false,
      code: 'enterprise_billing',
      reason:
        'Refunds on enterprise orders are issued by the billing team as a credit note or bank ' +
        'transfer: escalate the ticket to billing.',
    }
  }
  if (c.refundedCents > 0 && remaining <= 0) {
    return {
      allowed: false,
      code: 'already_refunded',
      reason:
        `Order #${c.orderPublicId} has already been refunded in full (${dollars(c.refundedCents)} ` +
        'issued). A refund that has not arrived is traced, not repeated: escalate to billing to ' +
        'trace it.',
    }
  }
  if (!(REFUND_POLICY.refundableStatuses as readonly string[]).includes(c.orderStatus)) {
    return {
      allowed: false,
      code: 'status_not_refundable',
      reason:
        c.orderStatus === 'shipped'
          ? `Order #${c.orderPublicId} is on its way (shipped): it cannot be cancelled, and is handled as a return once it arrives.`
          : `Order #${c.orderPublicId} is ${c.orderStatus}; only placed or delivered orders can be refunded.`,
    }
  }
  if (c.amountCents > remaining) {
    return {
      allowed: false,
      code: 'over_order_total',
      reason:
        `${dollars(c.amountCents)} is more than what is left to refund on order #${c.orderPublicId} ` +
        `(${dollars(remaining)} of ${dollars(c.orderAmountCents)}; ${dollars(c.refundedCents)} already refunded).`,
    }
  }
  // A placed order is a cancellation (no window); a delivered one is a return, counted from delivery.
  const window = REFUND_POLICY.windowDays[c.tier]
  const since = c.deliveredAt ?? c.placedAt
  const days = (c.now.getTime() - since.getTime()) / 86_400_000
  if (c.orderStatus === 'delivered' && days > window) {
    return {
      allowed: false,
      code: 'outside_window',
      reason:
        `Order #${c.orderPublicId} was ${c.deliveredAt === null ? 'ordered' : 'delivered'} ` +
        `${Math.floor(days)} days ago; the ${c.tier} tier's refund window is ${window} days from delivery.`,
    }
  }
  // The limits are per order: what is already refunded on it counts, so a refund cannot be split
  // into requests that each pass alone.
  const total = c.refundedCents + c.amountCents
  const earlier =
    c.refundedCents > 0
      ? ` (${dollars(c.refundedCents)} is already refunded on order #${c.orderPublicId}, so this would make ${dollars(total)})`
      : ''
  if (total > REFUND_POLICY.staffLimitCents) {
    return {
      allowed: false,
      code: 'needs_billing',
      reason: `Refunds over ${dollars(REFUND_POLICY.staffLimitCents)} per order are approved by the billing team${earlier}: escalate the ticket.`,
    }
  }
  if (total > REFUND_POLICY.selfServeLimitCents && !c.staff) {
    return {
      allowed: false,
      code: 'needs_staff',
      // Not refused: the gateway puts the refund to a support lead, who decides it.
      reason: `Refunds over ${dollars(REFUND_POLICY.selfServeLimitCents)} per order are decided by a support lead${earlier}.`,
    }
  }
  return { allowed: true }
}
