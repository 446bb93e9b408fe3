import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { REFUND_POLICY } from '../gateway/refund-policy.ts'
import { demoData } from './demo-data.ts'

const { customers, orders, tickets, refunds, policies } = demoData

const LIBRARY_CATEGORIES = [
  'refund_delay',
  'duplicate_charge',
  'login_email_change',
  'damaged_item',
  'shipping_delay',
  'cancellation',
  'address_change',
  'wrong_item',
  'missing_item',
  'promo_code',
  'subscription_billing',
  'invoice_request',
  'two_factor_reset',
  'account_deletion',
  'payment_declined',
] as const

const customerByEmail = new Map(customers.map((c) => [c.email, c]))
const orderById = new Map(orders.map((o) => [o.publicId, o]))
const ticketById = new Map(tickets.map((t) => [t.publicId, t]))
const resolved = tickets.filter((t) => t.status === 'resolved')

function duplicates(values: readonly string[]): string[] {
  return values.filter((v, i) => values.indexOf(v) !== i)
}

describe('demo data set', () => {
  it('uses every natural key at most once', () => {
    expect(duplicates(customers.map((c) => c.email))).toEqual([])
    expect(duplicates(customers.map((c) => c.authSubject))).toEqual([])
    expect(duplicates(orders.map((o) => o.publicId))).toEqual([])
    expect(duplicates(tickets.map((t) => t.publicId))).toEqual([])
    expect(duplicates(refunds.map((r) => r.idempotencyKey))).toEqual([])
    expect(duplicates(policies.map((p) => p.externalId))).toEqual([])
  })

  it('keeps customers fictional, with reserved email domains and demo sign-in subjects', () => {
    for (const c of customers) {
      expect(c.email).toMatch(/^[a-z0-9.]+@example\.(com|org|net)$/)
      expect(c.authSubject).toMatch(/^demo\|[a-z0-9-]+$/)
    }
  })

  it('has customers on every tier', () => {
    expect(new Set(customers.map((c) => c.tier))).toEqual(new Set(['free', 'pro', 'enterprise']))
  })

  it('gives orders four-digit public ids, positive amounts and every status', () => {
    for (const o of orders) {
      expect(o.publicId).toMatch(/^\d{4}$/)
      expect(o.amountCents).toBeGreaterThan(0)
      expect(Number.isInteger(o.amountCents)).toBe(true)
    }
    expect(new Set(orders.map((o) => o.status))).toEqual(
      new Set(['placed', 'shipped', 'delivered', 'refunded', 'cancelled']),
    )
    expect(orders.filter((o) => o.amountCents > 50_000).length).toBeGreaterThanOrEqual(3)
  })

  it('points every order and ticket at an existing customer', () => {
    for (const o of orders) expect(customerByEmail.has(o.customerEmail), o.publicId).toBe(true)
    for (const t of tickets) expect(customerByEmail.has(t.customerEmail), t.publicId).toBe(true)
  })

  it("links a ticket only to its own customer's order, placed before the ticket", () => {
    for (const t of tickets) {
      if (t.orderPublicId === undefined) continue
      const order = orderById.get(t.orderPublicId)
      expect(order, `${t.publicId} -> ${t.orderPublicId}`).toBeDefined()
      expect(order?.customerEmail, t.publicId).toBe(t.customerEmail)
      expect(order?.placedDaysAgo, t.publicId).toBeGreaterThanOrEqual(t.createdDaysAgo)
    }
  })

  it('gives every resolved ticket a resolution dated after it was created', () => {
    for (const t of resolved) {
      expect(t.resolution?.trim(), t.publicId).toBeTruthy()
      expect(t.resolvedDaysAgo, t.publicId).toBeDefined()
      expect(t.resolvedDaysAgo ?? Number.POSITIVE_INFINITY, t.publicId).toBeLessThan(
        t.createdDaysAgo,
      )
      expect(t.resolvedDaysAgo ?? -1, t.publicId).toBeGreaterThanOrEqual(0)
    }
  })

  it('leaves tickets that are not resolved without a resolution or resolution date', () => {
    for (const t of tickets.filter((t) => t.status !== 'resolved')) {
      expect(t.resolution, t.publicId).toBeUndefined()
      expect(t.resolvedDaysAgo, t.publicId).toBeUndefined()
    }
  })

  it('has tickets in every status', () => {
    expect(new Set(tickets.map((t) => t.status))).toEqual(
      new Set(['open', 'in_progress', 'resolved', 'escalated']),
    )
  })

  it('offers a library of at least 40 resolved past cases with distinct wording', () => {
    expect(resolved.length).toBeGreaterThanOrEqual(40)
    expect(duplicates(resolved.map((t) => t.summary))).toEqual([])
    expect(duplicates(resolved.map((t) => t.resolution ?? ''))).toEqual([])
  })

  it.each(LIBRARY_CATEGORIES)('has at least three resolved %s cases', (category) => {
    expect(resolved.filter((t) => t.category === category).length).toBeGreaterThanOrEqual(3)
  })

  it('points every refund at an existing order, and at a ticket of the same order if any', () => {
    for (const r of refunds) {
      const order = orderById.get(r.orderPublicId)
      expect(order, r.idempotencyKey).toBeDefined()
      if (r.ticketPublicId === undefined) continue
      const ticket = ticketById.get(r.ticketPublicId)
      expect(ticket, r.idempotencyKey).toBeDefined()
      expect(ticket?.customerEmail, r.idempotencyKey).toBe(order?.customerEmail)
    }
  })

  it('never refunds more than the order amount, per refund or in total', () => {
    for (const r of refunds) {
      const order = orderById.get(r.orderPublicId)
      expect(r.amountCents, r.idempotencyKey).toBeGreaterThan(0)
      expect(r.amountCents, r.idempotencyKey).toBeLessThanOrEqual(order?.amountCents ?? 0)
      expect(r.issuedDaysAgo, r.idempotencyKey).toBeLessThanOrEqual(order?.placedDaysAgo ?? 0)
    }
    for (const o of orders) {
      const total = refunds
        .filter((r) => r.orderPublicId === o.publicId && r.status !== 'failed')
        .reduce((sum, r) => sum + r.amountCents, 0)
      expect(total, o.publicId).toBeLessThanOrEqual(o.amountCents)
    }
  })

  it('sets up order 4429 for a pro customer whose full refund was issued two weeks ago', () => {
    const order = orderById.get('4429')
    expect(order?.status).toBe('refunded')
    expect(customerByEmail.get(order?.customerEmail ?? '')?.tier).toBe('pro')
    const refund = refunds.find((r) => r.orderPublicId === '4429')
    expect(refund?.idempotencyKey).toBe('demo-refund-4429')
    expect(refund?.status).toBe('issued')
    expect(refund?.amountCents).toBe(order?.amountCents)
    expect(refund?.issuedDaysAgo).toBeGreaterThanOrEqual(12)
    expect(refund?.issuedDaysAgo).toBeLessThanOrEqual(16)
  })

  it("has an open refund-delay ticket for order 4429 in the customer's own words", () => {
    const open = tickets.filter(
      (t) => t.orderPublicId === '4429' && t.status === 'open' && t.category === 'refund_delay',
    )
    expect(open).toHaveLength(1)
    expect(open[0]?.summary).toContain('#4429')
    expect(open[0]?.customerEmail).toBe(orderById.get('4429')?.customerEmail)
  })

  it('gives Maya a delivered, unrefunded order in her window that only staff may refund in full', () => {
    const maya = customers.find((c) => c.authSubject === 'demo|maya-okafor')
    if (maya === undefined) throw new Error('the demo data has no Maya Okafor')
    const between = orders.filter(
      (o) =>
        o.customerEmail === maya.email &&
        o.status === 'delivered' &&
        o.amountCents > REFUND_POLICY.selfServeLimitCents &&
        o.amountCents <= REFUND_POLICY.staffLimitCents &&
        // Delivered three days after it was placed (load-demo-data.ts), well inside the window.
        o.placedDaysAgo - 3 < REFUND_POLICY.windowDays[maya.tier] - 7 &&
        !refunds.some((r) => r.orderPublicId === o.publicId),
    )
    expect(between.map((o) => o.publicId)).toEqual(['4356'])
  })

  it('ships a non-empty markdown file for every policy', () => {
    const folder = new URL('./policies/', import.meta.url)
    for (const p of policies) {
      const file = new URL(p.file, folder)
      expect(existsSync(file), p.file).toBe(true)
      expect(readFileSync(file, 'utf8').trim().length, p.file).toBeGreaterThan(0)
    }
  })
})
