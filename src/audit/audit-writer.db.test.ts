import { afterEach, beforeEach, expect, it } from 'vitest'
import { describeEachDatabase, type TestDatabase } from '../../test/support/test-databases.ts'
import { SystemError } from '../lib/errors.ts'
import type { Database } from '../store/database.ts'
import { invokeAudited, recordInvocation, recordInvocations } from './audit-writer.ts'
import type { InvocationRecord } from './audited.ts'
import { invocationRecorder } from './invocation-recorder.ts'

const ORDER_4429 = `
INSERT INTO customers (id, email, name, tier)
  VALUES ('00000000-0000-4000-8000-000000000003', 'maya@example.com', 'Maya', 'pro');
INSERT INTO orders (id, customer_id, public_id, placed_at, amount_cents, status)
  VALUES ('00000000-0000-4000-8000-000000000004', '00000000-0000-4000-8000-000000000003', '4429', now(), 21900, 'delivered');
`

async function counts(db: TestDatabase) {
  const { rows } = await db.query<Record<string, number>>(
    `SELECT (SELECT count(*) FROM refunds)::int AS refunds,
            (SELECT count(*) FROM audit_log)::int AS audit,
            (SELECT count(*) FROM audit_log WHERE action = 'refund_issued')::int AS refund_issued,
            (SELECT count(*) FROM capability_invocations)::int AS invocations,
            (SELECT count(*) FROM capability_invocations WHERE status = 'ok')::int AS ok`,
  )
  return rows[0]
}

async function issueRefund(
  db: TestDatabase,
  failAfterWrite: Error | undefined,
): Promise<{ refundId: string }> {
  return invokeAudited(
    db,
    {
      capability: 'mcp:issue_refund',
      actor: 'gateway:demo|maya',
      arguments: { order: '4429', amount_cents: 21900 },
    },
    async ({ tx, record }) => {
      const { rows } = await tx.query<{ id: string }>(
        `INSERT INTO refunds (order_id, amount_cents, reason)
         SELECT id, 21900, 'never arrived' FROM orders WHERE public_id = '4429' RETURNING id`,
      )
      const refundId = rows[0]?.id ?? ''
      await record({
        action: 'refund_issued',
        actor: 'gateway:demo|maya',
        target: 'order:4429',
        payload: { refund_id: refundId, amount_cents: 21900 },
      })
      if (failAfterWrite) throw failAfterWrite
      return { refundId }
    },
  )
}

describeEachDatabase('the audit writer', (target) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('support')
    await db.exec(ORDER_4429)
  })
  afterEach(() => db.close())

  it('commits the business row, its event and its invocation together', async () => {
    const { refundId } = await issueRefund(db, undefined)
    expect(await counts(db)).toEqual({
      refunds: 1,
      audit: 2,
      refund_issued: 1,
      invocations: 1,
      ok: 1,
    })
    const { rows } = await db.query<{ action: string; invocation_id: string; payload: unknown }>(
      `SELECT a.action, a.invocation_id, a.payload FROM audit_log a ORDER BY a.id`,
    )
    const invocation = await db.query<{ id: string; result: unknown }>(
      'SELECT id, result FROM capability_invocations',
    )
    expect(rows.map((r) => r.action)).toEqual(['refund_issued', 'capability_invoked'])
    expect(new Set(rows.map((r) => r.invocation_id))).toEqual(new Set([invocation.rows[0]?.id]))
    expect(invocation.rows[0]?.result).toEqual({ refundId })
  })

  it('leaves neither the business row nor its audit rows when the work fails before commit', async () => {
    await expect(issueRefund(db, new Error('payment processor exploded'))).rejects.toThrow(
      'payment processor exploded',
    )
    // The refund and its refund_issued event are gone with the transaction; only the failed
    // attempt is on record, as an error invocation.
    expect(await counts(db)).toEqual({
      refunds: 0,
      audit: 1,
      refund_issued: 0,
      invocations: 1,
      ok: 0,
    })
    const { rows } = await db.query<{ status: string; result: unknown; action: string }>(
      `SELECT ci.status, ci.result, a.action FROM capability_invocations ci
       JOIN audit_log a ON a.invocation_id = ci.id`,
    )
    expect(rows).toEqual([
      {
        status: 'error',
        result: { error: 'error', message: 'payment processor exploded' },
        action: 'capability_invoked',
      },
    ])
  })

  it('records a timed-out call with status timeout', async () => {
    await expect(
      issueRefund(db, new SystemError('timeout', 'the lookup ran past its limit')),
    ).rejects.toThrow()
    const { rows } = await db.query<{ status: string }>('SELECT status FROM capability_invocations')
    expect(rows).toEqual([{ status: 'timeout' }])
  })

  it('measures latency with the injected clock', async () => {
    let t = 1000
    await invokeAudited(
      db,
      { capability: 'skill:summarize-ticket', actor: 'worker:support', arguments: {} },
      async () => {
        t += 250
        return 'summary'
      },
      { now: () => t, costUsd: '0.0012' },
    )
    const { rows } = await db.query<{ latency_ms: number; cost_usd: string }>(
      'SELECT latency_ms, cost_usd FROM capability_invocations',
    )
    expect(rows).toEqual([{ latency_ms: 250, cost_usd: '0.001200' }])
  })

  it('writes an invocation and its audit row atomically even outside a transaction', async () => {
    const conversation = await db.query<{ id: string }>(
      `INSERT INTO conversations (user_id) VALUES ('u') RETURNING id`,
    )
    const conversationId = conversation.rows[0]?.id
    const id = await recordInvocation(db, {
      capability: 'mcp:lookup_order',
      actor: 'worker:support',
      arguments: { order: '4429' },
      conversationId,
      status: 'ok',
      result: { status: 'delivered' },
      latencyMs: 12.6,
    })
    const { rows } = await db.query(
      `SELECT a.action, a.target, a.conversation_id, a.payload, a.result, ci.latency_ms
       FROM audit_log a JOIN capability_invocations ci ON ci.id = a.invocation_id
       WHERE ci.id = $1`,
      [id],
    )
    expect(rows).toEqual([
      {
        action: 'capability_invoked',
        target: 'mcp:lookup_order',
        conversation_id: conversationId,
        payload: { arguments: { order: '4429' }, latency_ms: 13 },
        result: { status: 'ok' },
        latency_ms: 13,
      },
    ])
  })

  it('refuses an invocation with a bad status and writes no audit row for it', async () => {
    await expect(
      recordInvocation(db, {
        capability: 'mcp:x',
        actor: 'a',
        arguments: {},
        status: 'maybe' as 'ok',
        result: null,
        latencyMs: 1,
      }),
    ).rejects.toThrow()
    expect(await counts(db)).toMatchObject({ audit: 0, invocations: 0 })
  })

  const lookup = (i: number, conversationId?: string): InvocationRecord => ({
    capability: 'mcp:lookup_order',
    actor: `gateway:user-${i}`,
    arguments: { order: String(4000 + i) },
    conversationId,
    status: 'ok',
    result: { i },
    latencyMs: i,
  })

  it('records several invocations and their audit rows in one statement, in order', async () => {
    const ids = await recordInvocations(db, [
      lookup(1),
      lookup(2),
      { ...lookup(3), status: 'error' },
    ])
    const { rows } = await db.query(
      `SELECT ci.id, ci.actor, ci.arguments, ci.result, ci.status, ci.latency_ms,
              a.action, a.target, a.payload, a.result AS audit_result
       FROM capability_invocations ci JOIN audit_log a ON a.invocation_id = ci.id
       ORDER BY a.id`,
    )
    expect(rows).toEqual(
      [1, 2, 3].map((i) => ({
        id: ids[i - 1],
        actor: `gateway:user-${i}`,
        arguments: { order: String(4000 + i) },
        result: { i },
        status: i === 3 ? 'error' : 'ok',
        latency_ms: i,
        action: 'capability_invoked',
        target: 'mcp:lookup_order',
        payload: { arguments: { order: String(4000 + i) }, latency_ms: i },
        audit_result: { status: i === 3 ? 'error' : 'ok' },
      })),
    )
  })

  it('group-commits concurrent records: fewer statements, each settled once its row is stored', async () => {
    let statements = 0
    const counting: Database = {
      ...db,
      query: (sql, params) => {
        statements++
        return db.query(sql, params)
      },
    }
    const record = invocationRecorder(counting)
    const ids = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        record(lookup(i)).then(async (id) => {
          // Settled means stored: the row is there when the promise resolves.
          const { rows } = await db.query('SELECT 1 FROM capability_invocations WHERE id = $1', [
            id,
          ])
          expect(rows).toHaveLength(1)
          return id
        }),
      ),
    )
    expect(new Set(ids).size).toBe(40)
    expect(await counts(db)).toMatchObject({ invocations: 40, audit: 40 })
    // The first record is written at once; the 39 that arrive meanwhile go in one more statement.
    expect(statements).toBe(2)
  })

  it('fails only the bad record of a batch', async () => {
    const record = invocationRecorder(db)
    const missingConversation = '00000000-0000-4000-8000-0000000000ff'
    const results = await Promise.allSettled([
      record(lookup(1)),
      record(lookup(2)),
      record(lookup(3, missingConversation)),
      record(lookup(4)),
    ])
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ])
    expect(await counts(db)).toMatchObject({ invocations: 3, audit: 3 })
  })

  it('records read-only work after it, and refuses business events from it', async () => {
    const reads = { db, transaction: true, recorder: invocationRecorder(db) }
    const call = { capability: 'mcp:lookup_order', actor: 'gateway:demo|maya', arguments: {} }
    const status = await invokeAudited(
      db,
      call,
      async ({ tx }) => {
        const { rows } = await tx.query<{ status: string }>(
          `SELECT status FROM orders WHERE public_id = '4429'`,
        )
        return { status: rows[0]?.status ?? null }
      },
      { reads },
    )
    expect(status).toEqual({ status: 'delivered' })
    await expect(
      invokeAudited(
        db,
        call,
        async ({ record }) => {
          await record({ action: 'refund_issued', actor: 'x' })
          return {}
        },
        { reads },
      ),
    ).rejects.toThrow(/read-only/)
    // A read-only transaction refuses a write even when the tool tries one.
    await expect(
      invokeAudited(
        db,
        call,
        async ({ tx }) => {
          await tx.query(`UPDATE orders SET status = 'refunded' WHERE public_id = '4429'`)
          return {}
        },
        { reads },
      ),
    ).rejects.toThrow(/read-only/)
    const { rows } = await db.query('SELECT status FROM capability_invocations ORDER BY created_at')
    expect(rows).toEqual([{ status: 'ok' }, { status: 'error' }, { status: 'error' }])
    expect(await counts(db)).toMatchObject({ refund_issued: 0 })
  })
})
