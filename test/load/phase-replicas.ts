import { checkRefundAnswers } from './invariants.ts'
import type { CallRecord } from './load-client.ts'
import { confirmRefund, type LoadRun, openSession, type PhaseResult } from './load-run.ts'
import { LOAD } from './workload.ts'

/**
 * The state two replicas must share, probed directly: one person's call budget (a budget kept in
 * each process would let through twice the burst), and one idempotency key sent to both at once.
 */
export async function replicaPhase(run: LoadRun): Promise<PhaseResult> {
  const violations: string[] = []

  // The budget: sequential calls alternating replicas, twice the burst and some.
  const prober = await openSession(run, 'load|rate-probe')
  const begun = await prober.begin(0)
  if (begun.outcome !== 'ok') violations.push(`the rate probe could not begin: ${begun.error}`)
  const attempts = run.rate.burst * 2 + 20
  const started = performance.now()
  const answers: CallRecord[] = []
  for (let i = 0; i < attempts; i++) answers.push(await prober.call(i % 2, 'user_get_profile', {}))
  const seconds = (performance.now() - started) / 1000
  await prober.close()
  const allowed = answers.filter((a) => a.outcome === 'ok').length + 1 // begin_session's call
  const limited = answers.filter((a) => /^Too many tool calls for this user/.test(a.error ?? ''))
  const other = answers.length + 1 - allowed - limited.length
  // What one shared budget can allow: the burst, and what refills while the probe runs.
  const ceiling = run.rate.burst + Math.ceil((seconds * run.rate.perMinute) / 60) + 1
  if (ceiling >= 2 * run.rate.burst) {
    violations.push(
      `the probe took ${seconds.toFixed(1)} s: long enough for the budget to refill past what two budgets would allow, so it cannot tell one from two`,
    )
  }
  if (allowed > ceiling) {
    violations.push(
      `the budget was not shared: ${allowed} calls allowed across the replicas, at most ${ceiling} expected`,
    )
  }
  if (limited.length === 0) violations.push('no call was refused by the rate limit')
  if (other > 0)
    violations.push(
      `${other} probe calls failed otherwise: ${answers.find((a) => a.outcome !== 'ok' && !limited.includes(a))?.error}`,
    )
  // Each allowed call left its invocation row; the refused ones were counted (in their minute's
  // row, or its calls_refused audit row once the minute closed), not recorded one by one.
  const { rows: trail } = await run.db.query<{ invocations: number; refused: number }>(
    `SELECT (SELECT count(*)::int FROM capability_invocations WHERE actor = $1) AS invocations,
            (SELECT coalesce(sum(calls), 0)::int FROM refused_calls
             WHERE subject = $2 AND reason = 'rate_limited')
            + (SELECT coalesce(sum((payload->>'calls')::int), 0)::int FROM audit_log
               WHERE action = 'calls_refused' AND actor = $1 AND target = 'rate_limited')
            AS refused`,
    ['gateway:load|rate-probe', 'load|rate-probe'],
  )
  if (trail[0]?.invocations !== allowed || trail[0]?.refused !== limited.length) {
    violations.push(
      `the rate probe left ${trail[0]?.invocations} invocation rows for ${allowed} allowed calls and counted ${trail[0]?.refused} refusals for ${limited.length} refused`,
    )
  }
  const byReplica = [0, 1].map(
    (r) => answers.filter((a) => a.replica === r && a.outcome === 'ok').length,
  )

  // The key: twenty at once, ten to each replica, from two connections of one person, one in
  // each protocol era.
  const sub = LOAD.subject(0)
  const [one, two] = [await openSession(run, sub), await openSession(run, sub, 'modern')]
  await one.begin(0)
  two.session = one.session
  const key = 'replica-probe-0001'
  const args = {
    order: LOAD.order(0, 3),
    amount_cents: 1000,
    reason: 'one key, two replicas',
    idempotency_key: key,
  }
  const sameKey = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      (i < 10 ? one : two).call(i % 2, 'domain_issue_refund', args),
    ),
  )
  await Promise.all([one.close(), two.close()])
  for (const record of sameKey) confirmRefund(run, sub, key, record)
  const failed = sameKey.filter((r) => r.outcome !== 'ok')
  if (failed.length > 0)
    violations.push(`${failed.length} same-key calls failed: ${failed[0]?.error}`)
  violations.push(...checkRefundAnswers(sameKey.map((record) => ({ key, record }))))
  const { rows } = await run.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM refunds WHERE idempotency_key = $1 AND requested_by = $2',
    [key, sub],
  )
  if (rows[0]?.n !== 1) violations.push(`one key sent to both replicas made ${rows[0]?.n} refunds`)

  return {
    name: 'replicas: state shared through Postgres',
    figures: [
      [
        'rate limit, one person, alternating replicas',
        `${allowed} of ${attempts + 1} calls allowed in ${seconds.toFixed(2)} s (${byReplica.join(' + ')} by replica, + begin_session); ${limited.length} refused; one shared budget allows ≤ ${ceiling} (burst ${run.rate.burst}, ${run.rate.perMinute}/min), one per process would allow ${2 * run.rate.burst}`,
      ],
      [
        'one idempotency key, 20 calls at once on both replicas, from a 2025 and a 2026 client',
        `${rows[0]?.n} refund; ${sameKey.filter((r) => r.data?.replayed === true).length} answers replayed the first`,
      ],
    ],
    violations,
  }
}
