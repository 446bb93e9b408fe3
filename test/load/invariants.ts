import type { Queryable } from '../../src/store/database.ts'
import { ERAS } from '../support/gateway-client.ts'
import type { CallRecord } from './load-client.ts'
import { LOAD } from './workload.ts'

/** What the database holds of the suite's writes. */
export interface StoreCounts {
  invocations: number
  refunds: number
  refundIssuedRows: number
  refundBlockedRows: number
  notes: number
  noteSavedRows: number
}

export interface StoreCheck {
  counts: StoreCounts
  /** Each broken invariant, in words; empty when everything holds. */
  violations: string[]
}

/** A write a client was told succeeded, with what identifies it. */
export interface ConfirmedWrites {
  /** Note ids answered to `user_save_note`. */
  notes: string[]
  /** Refunds answered `issued`: the id, and `<subject>:<idempotency key>` (requested_by, key). */
  refunds: Array<{ id: string; key: string }>
}

/**
 * Checks the audit invariants over the suite's rows (its subjects and orders only; the demo data
 * is not its business): every invocation has exactly one `capability_invoked` row; every refund
 * has exactly one `refund_issued` row recorded by a successful refund call, and no such row lacks
 * its refund; likewise notes and `note_saved`; a blocked refund was a successful call; no order is
 * refunded beyond its amount; and every write a client was told about is there, once.
 */
export async function checkStore(db: Queryable, confirmed: ConfirmedWrites): Promise<StoreCheck> {
  const violations: string[] = []
  const actor = LOAD.actorPattern
  const orders = LOAD.orderPattern
  const count = async (what: string, sql: string, params: unknown[] = []) => {
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (${sql}) x`,
      params,
    )
    const n = rows[0]?.n ?? 0
    if (what !== '' && n > 0) violations.push(`${n} ${what}`)
    return n
  }
  const counts: StoreCounts = {
    invocations: await count('', `SELECT 1 FROM capability_invocations WHERE actor LIKE $1`, [
      actor,
    ]),
    refunds: await count(
      '',
      `SELECT 1 FROM refunds r JOIN orders o ON o.id = r.order_id WHERE o.public_id LIKE $1`,
      [orders],
    ),
    refundIssuedRows: await count(
      '',
      `SELECT 1 FROM audit_log WHERE action = 'refund_issued' AND actor LIKE $1`,
      [actor],
    ),
    refundBlockedRows: await count(
      '',
      `SELECT 1 FROM audit_log WHERE action = 'refund_blocked' AND actor LIKE $1`,
      [actor],
    ),
    notes: await count('', `SELECT 1 FROM notes WHERE user_id LIKE 'load|%'`),
    noteSavedRows: await count(
      '',
      `SELECT 1 FROM audit_log WHERE action = 'note_saved' AND actor LIKE $1`,
      [actor],
    ),
  }
  await count(
    'invocations without exactly one capability_invoked audit row',
    `SELECT 1 FROM capability_invocations ci WHERE ci.actor LIKE $1
       AND (SELECT count(*) FROM audit_log a
            WHERE a.invocation_id = ci.id AND a.action = 'capability_invoked') <> 1`,
    [actor],
  )
  await count(
    'refunds without exactly one refund_issued row from a successful refund call',
    `SELECT 1 FROM refunds r JOIN orders o ON o.id = r.order_id WHERE o.public_id LIKE $1
       AND (SELECT count(*) FROM audit_log a
            JOIN capability_invocations ci ON ci.id = a.invocation_id
            WHERE a.action = 'refund_issued' AND a.payload->>'refund_id' = r.id::text
              AND ci.status = 'ok' AND ci.capability = 'mcp:domain_issue_refund') <> 1`,
    [orders],
  )
  await count(
    'refund_issued rows whose refund does not exist',
    `SELECT 1 FROM audit_log a WHERE a.action = 'refund_issued' AND a.actor LIKE $1
       AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.id::text = a.payload->>'refund_id')`,
    [actor],
  )
  await count(
    'notes without exactly one note_saved row from a successful note call',
    `SELECT 1 FROM notes n WHERE n.user_id LIKE 'load|%'
       AND (SELECT count(*) FROM audit_log a
            JOIN capability_invocations ci ON ci.id = a.invocation_id
            WHERE a.action = 'note_saved' AND a.target = 'note:' || n.id::text
              AND ci.status = 'ok' AND ci.capability = 'mcp:user_save_note') <> 1`,
  )
  await count(
    'note_saved rows whose note does not exist',
    `SELECT 1 FROM audit_log a WHERE a.action = 'note_saved' AND a.actor LIKE $1
       AND NOT EXISTS (SELECT 1 FROM notes n WHERE 'note:' || n.id::text = a.target)`,
    [actor],
  )
  await count(
    'business audit rows (refund or note) recorded by a call that did not succeed',
    `SELECT 1 FROM audit_log a JOIN capability_invocations ci ON ci.id = a.invocation_id
     WHERE a.actor LIKE $1 AND a.action IN ('refund_issued', 'refund_blocked', 'note_saved')
       AND ci.status <> 'ok'`,
    [actor],
  )
  await count(
    'orders refunded beyond their amount',
    `SELECT 1 FROM orders o WHERE o.public_id LIKE $1
       AND (SELECT coalesce(sum(amount_cents), 0) FROM refunds r
            WHERE r.order_id = o.id AND r.status IN ('issued', 'settled')) > o.amount_cents`,
    [orders],
  )
  await count(
    'notes a client was told were saved that are missing (lost writes)',
    `SELECT 1 FROM unnest($1::text[]) AS c(id) WHERE NOT EXISTS
       (SELECT 1 FROM notes n WHERE n.id::text = c.id)`,
    [confirmed.notes],
  )
  await count(
    'refunds a client was told were issued that are missing or under another key (lost writes)',
    `SELECT 1 FROM unnest($1::text[], $2::text[]) AS c(id, key) WHERE NOT EXISTS
       (SELECT 1 FROM refunds r WHERE r.id::text = c.id
                AND r.requested_by || ':' || r.idempotency_key = c.key)`,
    [confirmed.refunds.map((r) => r.id), confirmed.refunds.map((r) => r.key)],
  )
  const told = new Set(confirmed.refunds.map((r) => r.id))
  if (told.size !== counts.refunds) {
    violations.push(
      `${counts.refunds} refunds in the database, but clients were told of ${told.size} (a refund no answer accounts for)`,
    )
  }
  return { counts, violations }
}

/**
 * The answers to refund calls, checked per idempotency key: every answer to one key agrees (the
 * same status and refund), and at most one of them is not a replay.
 */
export function checkRefundAnswers(
  answers: ReadonlyArray<{ key: string; record: CallRecord }>,
): string[] {
  const byKey = new Map<string, CallRecord[]>()
  for (const { key, record } of answers) {
    if (record.outcome !== 'ok') continue
    byKey.set(key, [...(byKey.get(key) ?? []), record])
  }
  const violations: string[] = []
  for (const [key, records] of byKey) {
    const shapes = new Set(records.map((r) => `${r.data?.status}:${r.data?.refund_id ?? ''}`))
    if (shapes.size > 1)
      violations.push(`key ${key} got different answers: ${[...shapes].join(', ')}`)
    const firsts = records.filter((r) => r.data?.replayed !== true).length
    if (firsts > 1) violations.push(`key ${key} was carried out ${firsts} times`)
  }
  return violations
}

/**
 * Calls per protocol era, as the report gives them (how many of each succeeded); a violation for
 * an era no call was made in, since a run in one era alone proves nothing of the other.
 */
export function checkEras(records: readonly CallRecord[]): {
  figure: string
  violations: string[]
} {
  const counted = ERAS.map(({ era, revision }) => {
    const of = records.filter((r) => r.era === era)
    return { era, revision, calls: of.length, ok: of.filter((r) => r.outcome === 'ok').length }
  })
  return {
    figure: counted
      .map((c) => `${c.revision} (${c.era}) ${c.ok} of ${c.calls} succeeded`)
      .join('; '),
    violations: counted
      .filter((c) => c.calls === 0)
      .map((c) => `no call was made in the ${c.era} era`),
  }
}
