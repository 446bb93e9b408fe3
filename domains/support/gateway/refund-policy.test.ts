import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { packageRoot } from '../../../src/lib/package-root.ts'
import { decideRefund, REFUND_POLICY, type RefundCase } from './refund-policy.ts'

const DOCUMENT = join(packageRoot(), 'domains', 'support', 'demo', 'policies', 'refund-policy.md')

describe('the refund policy in code says what the policy document says', () => {
  it('has the same refund window per tier, counted from delivery', async () => {
    const text = await readFile(DOCUMENT, 'utf8')
    for (const [tier, days] of Object.entries(REFUND_POLICY.windowDays)) {
      const row = new RegExp(`^\\|\\s*${tier}\\s*\\|\\s*(\\d+) days from delivery`, 'im').exec(text)
      expect(row?.[1], tier).toBe(String(days))
    }
  })

  it('has the same approval limits', async () => {
    const text = await readFile(DOCUMENT, 'utf8')
    const selfServe = /^\|\s*Up to \$(\d+)\s*\|\s*The AI Worker or any support agent/m.exec(text)
    expect(Number(selfServe?.[1]) * 100).toBe(REFUND_POLICY.selfServeLimitCents)
    const lead = /^\|\s*\$[\d.]+ – \$(\d+)\s*\|\s*A support lead/m.exec(text)
    expect(Number(lead?.[1]) * 100).toBe(REFUND_POLICY.staffLimitCents)
    const billing = /^\|\s*Over \$(\d+)\s*\|\s*The billing team, and always via escalation/m.exec(
      text,
    )
    expect(Number(billing?.[1]) * 100).toBe(REFUND_POLICY.staffLimitCents)
    // The code counts earlier refunds against the limits (refund-limits.test.ts); so does the text.
    expect(text.replace(/\s+/g, ' ')).toContain(
      'The limits are for the total refunded on the order, counting the refunds already issued on it',
    )
  })

  it('cancels placed orders, refuses shipped ones, and never pays an issued refund twice', async () => {
    const text = await readFile(DOCUMENT, 'utf8')
    expect(text).toContain('An order still in `placed` status can be cancelled in full')
    expect(text).toContain('Once an order is `shipped` it cannot')
    expect(text).toContain('**do not issue another one**')
    const base: RefundCase = {
      orderPublicId: '1',
      orderStatus: 'delivered',
      orderAmountCents: 10_000,
      placedAt: new Date('2026-11-01T00:00:00Z'),
      deliveredAt: new Date('2026-11-04T00:00:00Z'),
      tier: 'free',
      refundedCents: 0,
      amountCents: 5000,
      staff: false,
      now: new Date('2026-11-17T00:00:00Z'),
    }
    expect(decideRefund(base)).toEqual({ allowed: true })
    expect(decideRefund({ ...base, orderStatus: 'placed' })).toEqual({ allowed: true })
    expect(decideRefund({ ...base, orderStatus: 'shipped' })).toMatchObject({
      code: 'status_not_refundable',
    })
    expect(decideRefund({ ...base, refundedCents: 10_000, orderStatus: 'refunded' })).toMatchObject(
      {
        code: 'already_refunded',
      },
    )
    expect(decideRefund({ ...base, refundedCents: 6000 })).toMatchObject({
      code: 'over_order_total',
    })
    // 13 days after delivery is inside the free tier's 14; 15 is outside.
    expect(decideRefund({ ...base, now: new Date('2026-11-19T00:00:00Z') })).toMatchObject({
      code: 'outside_window',
    })
    expect(decideRefund({ ...base, tier: 'pro', now: new Date('2026-11-19T00:00:00Z') })).toEqual({
      allowed: true,
    })
    expect(decideRefund({ ...base, orderAmountCents: 90_000, amountCents: 30_000 })).toMatchObject({
      code: 'needs_staff',
    })
    expect(
      decideRefund({ ...base, orderAmountCents: 90_000, amountCents: 30_000, staff: true }),
    ).toEqual({
      allowed: true,
    })
    expect(
      decideRefund({ ...base, orderAmountCents: 90_000, amountCents: 60_000, staff: true }),
    ).toMatchObject({
      code: 'needs_billing',
    })
    expect(decideRefund({ ...base, tier: 'enterprise' })).toMatchObject({
      code: 'enterprise_billing',
    })
  })
})
