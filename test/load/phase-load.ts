import { median, percentile } from '../../bench/lib/measure.ts'
import { ERAS } from '../support/gateway-client.ts'
import { checkEras, checkRefundAnswers, checkStore } from './invariants.ts'
import type { CallRecord } from './load-client.ts'
import { confirmRefund, type LoadRun, openSession, type PhaseResult } from './load-run.ts'
import { LOAD, type PlannedCall, sessionCalls, sessionEra } from './workload.ts'

const ms = (value: number) => `${value.toFixed(1)} ms`

/**
 * The anchor: one session alone making lookups one after another, on the same servers, just
 * before the load. The load's latencies are reported against its median.
 */
export async function unloadedLatency(run: LoadRun, customer: number, calls = 60): Promise<number> {
  const session = await openSession(run, LOAD.subject(customer))
  await session.begin(0)
  const times: number[] = []
  for (let i = 0; i < calls; i++) {
    const record = await session.call(i % 2, 'domain_lookup_order', {
      order: LOAD.order(customer, 0),
    })
    if (record.outcome !== 'ok') throw new Error(`the unloaded lookup failed: ${record.error}`)
    if (i >= 10) times.push(record.ms)
  }
  await session.close()
  return median(times)
}

/**
 * `sessions` MCP sessions at once, half of them 2025 clients and half pinned to 2026-07-28, each
 * begin_session then 19 mixed calls, every call alternating between the replicas with the one
 * session handle.
 * Then: no call failed, no 5xx, every refund key answered consistently, and the store holds
 * exactly what the clients were told, each write with its audit rows.
 */
export async function loadPhase(
  run: LoadRun,
  sessions: number,
  anchorMs: number,
): Promise<PhaseResult> {
  const records: CallRecord[] = []
  const kinds = new Map<CallRecord, PlannedCall['kind'] | 'session'>()
  const refundAnswers: Array<{ key: string; record: CallRecord }> = []
  let elsewhere = 0
  const invocationsBefore = (
    await run.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM capability_invocations WHERE actor LIKE $1`,
      [LOAD.actorPattern],
    )
  ).rows[0]?.n as number
  const errorsBefore = run.statuses.serverErrors
  const started = performance.now()
  await Promise.all(
    Array.from({ length: sessions }, async (_, s) => {
      const sub = LOAD.subject(Math.floor(s / 2))
      const session = await openSession(run, sub, sessionEra(s))
      const begun = await session.begin(s % 2)
      records.push(begun)
      kinds.set(begun, 'session')
      let replica = s % 2
      for (const planned of sessionCalls(s)) {
        replica = (replica + 1) % 2
        const record = await session.call(replica, planned.tool, planned.args)
        records.push(record)
        kinds.set(record, planned.kind)
        if (replica !== s % 2 && record.outcome === 'ok') elsewhere++
        if (planned.tool === 'domain_issue_refund') {
          const key = String(planned.args.idempotency_key)
          refundAnswers.push({ key, record })
          confirmRefund(run, sub, key, record)
        }
        if (planned.tool === 'user_save_note' && record.outcome === 'ok') {
          run.confirmed.notes.push(String(record.data?.note_id))
        }
      }
      await session.close()
    }),
  )
  const seconds = (performance.now() - started) / 1000
  const violations: string[] = []
  const failed = records.filter((r) => r.outcome !== 'ok')
  if (failed.length > 0) {
    violations.push(
      `${failed.length} of ${records.length} calls failed, first: ${failed[0]?.tool}: ${failed[0]?.error}`,
    )
  }
  const eras = checkEras(records)
  violations.push(...eras.violations)
  const serverErrors = run.statuses.serverErrors - errorsBefore
  if (serverErrors > 0) violations.push(`${serverErrors} HTTP responses were 5xx`)
  violations.push(...checkRefundAnswers(refundAnswers))
  const store = await checkStore(run.db, run.confirmed)
  violations.push(...store.violations)
  const invocations = store.counts.invocations - invocationsBefore
  if (invocations !== records.length) {
    violations.push(`${records.length} calls made, but ${invocations} invocation rows recorded`)
  }
  const times = records.map((r) => r.ms)
  const of = (kind: string) => records.filter((r) => kinds.get(r) === kind).map((r) => r.ms)
  const issued = refundAnswers.filter(
    (a) => a.record.data?.status === 'issued' && a.record.data.replayed !== true,
  ).length
  const blocked = refundAnswers.filter(
    (a) => a.record.data?.status === 'blocked' && a.record.data.replayed !== true,
  ).length
  const replayed = refundAnswers.filter((a) => a.record.data?.replayed === true).length
  return {
    name: `load: ${sessions} sessions × ${records.length / sessions} calls over HTTP, two replicas`,
    figures: [
      [
        'calls',
        `${records.length} in ${seconds.toFixed(2)} s: ${(records.length / seconds).toFixed(0)} calls/s`,
      ],
      [
        'latency, all calls',
        `p50 ${ms(percentile(times, 0.5))}, p99 ${ms(percentile(times, 0.99))}`,
      ],
      ['calls by protocol era', eras.figure],
      ...ERAS.map(({ era }): [string, string] => {
        const times = records.filter((r) => r.era === era).map((r) => r.ms)
        return [
          `latency, ${era} era`,
          `p50 ${ms(percentile(times, 0.5))}, p99 ${ms(percentile(times, 0.99))}`,
        ]
      }),
      ['anchor: one session alone, lookups', `p50 ${ms(anchorMs)}`],
      ['p50 under load ÷ anchor', `${(percentile(times, 0.5) / anchorMs).toFixed(2)}×`],
      [
        'throughput ÷ one session alone',
        `${(records.length / seconds).toFixed(0)} ÷ ${(1000 / anchorMs).toFixed(0)} calls/s = ${(records.length / seconds / (1000 / anchorMs)).toFixed(2)}×`,
      ],
      ...(['read', 'search', 'write', 'session'] as const).map((kind): [string, string] => [
        `latency, ${kind === 'session' ? 'begin_session (with the connection)' : kind}`,
        `p50 ${ms(percentile(of(kind), 0.5))}, p99 ${ms(percentile(of(kind), 0.99))} (${of(kind).length})`,
      ]),
      [
        'refunds',
        `${issued} issued, ${blocked} blocked by policy, ${replayed} replayed from their key`,
      ],
      ['calls accepted by the replica that did not issue their handle', `${elsewhere}`],
      [
        'store',
        `${store.counts.refunds} refunds = ${store.counts.refundIssuedRows} refund_issued rows; ${store.counts.notes} notes = ${store.counts.noteSavedRows} note_saved rows; ${invocations} invocations = ${records.length} calls`,
      ],
      ['HTTP statuses', [...run.statuses.counts].map(([s, n]) => `${s}×${n}`).join(', ')],
    ],
    violations,
  }
}
