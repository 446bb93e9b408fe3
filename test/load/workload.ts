import type { ProtocolEra } from '@modelcontextprotocol/client'
import type { Queryable } from '../../src/store/database.ts'

/** The load suite's customers, subjects and orders: its own rows beside the demo data. */
export const LOAD = {
  subject: (customer: number) => `load|customer-${String(customer).padStart(3, '0')}`,
  email: (customer: number) => `load-${String(customer).padStart(3, '0')}@example.test`,
  /** Order k of a customer: 0-2 for the load, 3-5 for the faults. */
  order: (customer: number, k: number) => String(900_000 + customer * 10 + k),
  ordersPerCustomer: 6,
  orderCents: 12_000,
  /** Every load row's audit actor and order numbers start so: the checks look at these only. */
  actorPattern: 'gateway:load|%',
  orderPattern: '9_____',
} as const

/**
 * The suite's customers (pro tier, linked to their load subjects as a first sign-in would), each
 * with six orders of $120 delivered yesterday: refundable, so that the server's policy, not the
 * fixture, decides when an order is refunded in full.
 */
export async function insertFixture(db: Queryable, customers: number): Promise<void> {
  await db.query(
    `WITH c AS (
       INSERT INTO customers (email, name, tier, auth_subject)
       SELECT format('load-%s@example.test', lpad(n::text, 3, '0')), format('Load customer %s', n),
              'pro', format('load|customer-%s', lpad(n::text, 3, '0'))
       FROM generate_series(0, $1 - 1) AS n
       RETURNING id, email
     )
     INSERT INTO orders (customer_id, public_id, placed_at, delivered_at, amount_cents, status)
     SELECT c.id, (900000 + substr(c.email, 6, 3)::int * 10 + k)::text,
            now() - interval '3 days', now() - interval '1 day', $2, 'delivered'
     FROM c, generate_series(0, $3 - 1) AS k`,
    [customers, LOAD.orderCents, LOAD.ordersPerCustomer],
  )
}

/**
 * The protocol era of session `s`: half 2025 (`initialize`), half pinned to 2026-07-28, in one run.
 * Sessions 2c and 2c+1 share customer c and begin on replicas 0 and 1: this gives every customer
 * one session of each era, and each era sessions beginning on both replicas.
 */
export function sessionEra(s: number): ProtocolEra {
  return s % 4 === 0 || s % 4 === 3 ? 'legacy' : 'modern'
}

export interface PlannedCall {
  tool: string
  args: Record<string, unknown>
  /** What kind of call, for the latency table. */
  kind: 'read' | 'search' | 'write'
}

/**
 * Session `s`'s calls after begin_session: 19 mixed calls (17 and two retries), in an order of
 * its own. Two sessions
 * share each customer (s and s+1), so their refunds on the same three orders race, across
 * replicas. Refund amounts are $35: four on one order would pass its $120, so the ceiling is hit.
 */
export function sessionCalls(s: number): PlannedCall[] {
  const customer = Math.floor(s / 2)
  const order = (k: number) => `#${LOAD.order(customer, k)}`
  const refund = (i: number): PlannedCall => ({
    tool: 'domain_issue_refund',
    kind: 'write',
    args: {
      order: order(i % 3),
      amount_cents: 3500,
      reason: `load test refund ${s}-${i}`,
      idempotency_key: `load-${s}-${i}`,
    },
  })
  const calls: PlannedCall[] = [
    ...[0, 1, 2].map((k) => ({
      tool: 'domain_lookup_order',
      kind: 'read' as const,
      args: { order: order(k) },
    })),
    {
      tool: 'domain_find_similar_cases',
      kind: 'search',
      args: { description: 'my refund has not arrived after two weeks' },
    },
    {
      tool: 'domain_find_similar_cases',
      kind: 'search',
      args: { description: 'the parcel arrived damaged and I want my money back', limit: 3 },
    },
    {
      tool: 'domain_search_policies',
      kind: 'search',
      args: { question: 'how long do refunds take to arrive' },
    },
    { tool: 'user_get_profile', kind: 'read', args: {} },
    { tool: 'domain_list_tickets', kind: 'read', args: {} },
    ...[0, 1, 2, 3].map((i) => ({
      tool: 'user_save_note',
      kind: 'write' as const,
      args: { text: `load note ${s}-${i}` },
    })),
    ...[0, 1, 2, 3, 4].map(refund),
  ]
  // A fixed shuffle per session, so that sessions do not all do the same thing at once.
  let seed = s * 7919 + 17
  for (let i = calls.length - 1; i > 0; i--) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
    const j = seed % (i + 1)
    ;[calls[i], calls[j]] = [calls[j] as PlannedCall, calls[i] as PlannedCall]
  }
  // Two retries of a refund already asked for, with its key: each must replay its first answer.
  const firstRefund = calls.findIndex((c) => c.tool === 'domain_issue_refund')
  const repeats = [refund(0), refund(1)]
  calls.splice(Math.max(firstRefund + 1, 12), 0, repeats[0] as PlannedCall)
  calls.push(repeats[1] as PlannedCall)
  return calls
}
