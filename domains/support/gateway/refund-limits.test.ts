import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decideRefund, REFUND_POLICY, type RefundCase } from './refund-policy.ts'

const NOW = new Date('2026-11-17T00:00:00Z')

/** A delivered pro order, inside its window: only the amounts and who asks decide. */
function order(amountCents: number): Omit<RefundCase, 'refundedCents' | 'amountCents' | 'staff'> {
  return {
    orderPublicId: '1',
    orderStatus: 'delivered',
    orderAmountCents: amountCents,
    placedAt: new Date('2026-11-01T00:00:00Z'),
    deliveredAt: new Date('2026-11-04T00:00:00Z'),
    tier: 'pro',
    now: NOW,
  }
}

const request = fc.record({
  amountCents: fc.oneof(
    fc.integer({ min: 1, max: 80_000 }),
    // Amounts near the limits, where a split refund would slip through.
    fc.constantFrom(5_000, 10_000, 12_500, 20_000, 24_999, 25_000, 25_001, 30_000, 50_000),
  ),
  staff: fc.boolean(),
})

describe('the refund limits count what the order already had refunded', () => {
  it('never lets a sequence of refunds on one order exceed the self-serve limit for customers, the staff limit overall, or the order total', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 120_000 }),
        fc.array(request, { minLength: 1, maxLength: 25 }),
        (total, requests) => {
          let refunded = 0
          for (const r of requests) {
            const decision = decideRefund({ ...order(total), refundedCents: refunded, ...r })
            const after = refunded + r.amountCents
            const limit = r.staff
              ? REFUND_POLICY.staffLimitCents
              : REFUND_POLICY.selfServeLimitCents
            // Allowed exactly when the order's total after this refund stays within both ceilings.
            expect(decision.allowed).toBe(after <= total && after <= limit)
            if (!decision.allowed) continue
            refunded = after
            if (!r.staff) expect(refunded).toBeLessThanOrEqual(REFUND_POLICY.selfServeLimitCents)
            expect(refunded).toBeLessThanOrEqual(REFUND_POLICY.staffLimitCents)
            expect(refunded).toBeLessThanOrEqual(total)
          }
        },
      ),
      { numRuns: 500 },
    )
  })

  it('refuses a second $200 refund by the customer as needing staff, naming what was refunded', () => {
    const decision = decideRefund({
      ...order(60_000),
      refundedCents: 20_000,
      amountCents: 20_000,
      staff: false,
    })
    expect(decision).toMatchObject({ allowed: false, code: 'needs_staff' })
    expect(decision.allowed ? '' : decision.reason).toContain('$200.00 is already refunded')
    expect(
      decideRefund({ ...order(60_000), refundedCents: 40_000, amountCents: 20_000, staff: true }),
    ).toMatchObject({ allowed: false, code: 'needs_billing' })
  })
})
