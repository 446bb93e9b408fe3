/** Shapes of the support domain's demo data. Dates are relative to the moment the data is loaded. */

export type Tier = 'free' | 'pro' | 'enterprise'
export type OrderStatus = 'placed' | 'shipped' | 'delivered' | 'refunded' | 'cancelled'
export type TicketStatus = 'open' | 'in_progress' | 'resolved' | 'escalated'
export type RefundStatus = 'issued' | 'settled' | 'failed'

export interface DemoCustomer {
  /** Natural key: unique email. */
  email: string
  name: string
  tier: Tier
  /** The verified sign-in subject (`sub`) that proves this customer's identity. */
  authSubject: string
}

export interface DemoOrder {
  /** Display id without the `#`, e.g. `4429`. Unique. */
  publicId: string
  customerEmail: string
  placedDaysAgo: number
  amountCents: number
  status: OrderStatus
}

export interface DemoTicket {
  /** Display id such as `T-1001`. Unique. */
  publicId: string
  customerEmail: string
  orderPublicId?: string
  /** A short label such as `refund_delay`; used to label retrieval-quality queries. */
  category: string
  summary: string
  /** Required when status is `resolved`. */
  resolution?: string
  status: TicketStatus
  createdDaysAgo: number
  resolvedDaysAgo?: number
}

export interface DemoRefund {
  /** Natural key, stored as the refund's idempotency key. */
  idempotencyKey: string
  orderPublicId: string
  ticketPublicId?: string
  amountCents: number
  reason: string
  status: RefundStatus
  issuedDaysAgo: number
}

export interface DemoPolicy {
  /** Stable id, unique within the policy library, e.g. `refund-policy`. */
  externalId: string
  title: string
  /** Markdown file name inside `demo/policies/`. */
  file: string
}

export interface DemoDataSet {
  customers: readonly DemoCustomer[]
  orders: readonly DemoOrder[]
  tickets: readonly DemoTicket[]
  refunds: readonly DemoRefund[]
  policies: readonly DemoPolicy[]
}
