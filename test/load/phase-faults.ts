import { checkEras, checkRefundAnswers, checkStore } from './invariants.ts'
import type { CallRecord } from './load-client.ts'
import {
  callUntilAnswered,
  confirmRefund,
  isUnavailable,
  type LoadRun,
  openSession,
  type PhaseResult,
  sleep,
} from './load-run.ts'
import { LOAD, sessionEra } from './workload.ts'

/** How long a client keeps retrying one call through a fault before it gives up. */
const RETRY_LIMIT_MS = 90_000

interface FaultWork {
  /** Refund and note answers, the retries included. */
  seen: CallRecord[]
  refundAnswers: Array<{ key: string; record: CallRecord }>
  /** Note calls attempted, and those answered ok. */
  notes: { attempted: number; ok: number }
}

/**
 * `sessions` people at once, each making `writes` writes (refunds of $10 with fresh keys, and with
 * `notes`, every other one a note), first on replica `home`; `fault` runs once `after` calls have
 * been answered. A refund that fails is retried with its key (alternating replicas) until it is
 * answered; a note is not retried (it has no key), so a failed one may or may not exist.
 */
async function writeThroughFault(
  run: LoadRun,
  options: { label: string; sessions: number; writes: number; notes: boolean; after: number },
  fault: () => Promise<void>,
): Promise<FaultWork & { faultDone: Promise<void> }> {
  const work: FaultWork = { seen: [], refundAnswers: [], notes: { attempted: 0, ok: 0 } }
  let answered = 0
  let faultDone: Promise<void> | undefined
  const tick = () => {
    answered++
    if (answered === options.after) faultDone = fault()
  }
  await Promise.all(
    Array.from({ length: options.sessions }, async (_, s) => {
      const sub = LOAD.subject(s)
      const session = await openSession(run, sub, sessionEra(s))
      const begun = await session.begin(s % 2)
      if (begun.outcome !== 'ok')
        throw new Error(`begin_session failed before the fault: ${begun.error}`)
      for (let i = 0; i < options.writes; i++) {
        const home = (s + i) % 2
        if (options.notes && i % 2 === 1) {
          work.notes.attempted++
          const record = await session.call(home, 'user_save_note', {
            text: `${options.label} ${s}-${i}`,
          })
          work.seen.push(record)
          if (record.outcome === 'ok') {
            work.notes.ok++
            run.confirmed.notes.push(String(record.data?.note_id))
          }
        } else {
          const key = `${options.label}-${s}-${i}`
          const args = {
            order: LOAD.order(s, 3 + (i % 3)),
            amount_cents: 1000,
            reason: `${options.label} refund ${s}-${i}`,
            idempotency_key: key,
          }
          const record = await callUntilAnswered(
            session,
            home,
            'domain_issue_refund',
            args,
            RETRY_LIMIT_MS,
            work.seen,
          )
          work.refundAnswers.push({ key, record })
          confirmRefund(run, sub, key, record)
        }
        tick()
      }
      await session.close()
    }),
  )
  return { ...work, faultDone: faultDone ?? Promise.reject(new Error('the fault never ran')) }
}

/** After a fault: every refund answered, answers consistent, the store whole. */
async function afterFault(
  run: LoadRun,
  work: FaultWork,
): Promise<{ violations: string[]; store: string; eras: string }> {
  const eras = checkEras(work.seen)
  const violations: string[] = [...eras.violations]
  const unanswered = work.refundAnswers.filter((a) => a.record.outcome !== 'ok')
  if (unanswered.length > 0) {
    violations.push(
      `${unanswered.length} refunds never answered after the fault: ${unanswered[0]?.record.error}`,
    )
  }
  violations.push(...checkRefundAnswers(work.refundAnswers))
  const store = await checkStore(run.db, run.confirmed)
  violations.push(...store.violations)
  const c = store.counts
  return {
    violations,
    eras: eras.figure,
    store: `${c.refunds} refunds = ${c.refundIssuedRows} refund_issued rows, each from a successful call; ${c.notes} notes = ${c.noteSavedRows} note_saved rows`,
  }
}

/** Each replica answers a call again. */
async function recovered(run: LoadRun): Promise<string[]> {
  const session = await openSession(run, LOAD.subject(0))
  const problems: string[] = []
  await session.begin(0)
  for (const replica of [0, 1]) {
    const record = await session.call(replica, 'domain_lookup_order', { order: LOAD.order(0, 3) })
    if (record.outcome !== 'ok')
      problems.push(`replica ${replica} did not recover: ${record.error}`)
  }
  await session.close()
  return problems
}

const describeFailures = (records: CallRecord[]) => {
  const failed = records.filter((r) => r.outcome === 'failed').length
  const unavailable = records.filter(isUnavailable).length
  const sample = records.find((r) => r.outcome !== 'ok')?.error ?? 'none'
  return `${failed} connection failures, ${unavailable} "unavailable" answers; first: ${sample.split('\n')[0]}`
}

/** `kill -9` of replica 0 while refunds are under way, then its restart. */
export async function killPhase(run: LoadRun, sessions: number): Promise<PhaseResult> {
  const victim = run.replicas[0]
  if (victim === undefined) throw new Error('no replica to kill')
  let restartMs = 0
  const work = await writeThroughFault(
    run,
    { label: 'kill', sessions, writes: 8, notes: false, after: Math.floor(sessions * 2) },
    async () => {
      await victim.kill()
      const t = performance.now()
      await victim.start()
      restartMs = performance.now() - t
    },
  )
  await work.faultDone
  const { violations, store, eras } = await afterFault(run, work)
  // Otherwise the kill came too late to cut a call, and the phase proved nothing.
  if (!work.seen.some((r) => r.outcome === 'failed'))
    violations.push('no client saw the kill: no call failed while the replica was down')
  violations.push(...(await recovered(run)))
  const retried = work.seen.length - work.refundAnswers.length
  return {
    name: `fault: kill -9 of a replica during ${sessions * 8} refunds`,
    figures: [
      ['clients saw', describeFailures(work.seen)],
      ['calls by protocol era', eras],
      ['retried with the same key', `${retried} attempts; every refund answered once`],
      ['killed replica back', `${(restartMs / 1000).toFixed(1)} s after the kill`],
      ['store', store],
    ],
    violations,
  }
}

/** An immediate Postgres stop while refunds and notes are under way on both replicas, then a start. */
export async function postgresStopPhase(run: LoadRun, sessions: number): Promise<PhaseResult> {
  let downMs = 0
  let healthWhileDown = 'not asked'
  const work = await writeThroughFault(
    run,
    { label: 'pgstop', sessions, writes: 8, notes: true, after: Math.floor(sessions * 2) },
    async () => {
      await run.pg.crash()
      const t = performance.now()
      await sleep(1500)
      const health = await fetch(`${run.baseUrls[1]}/healthz`).catch(() => undefined)
      healthWhileDown = health === undefined ? 'no answer' : `${health.status}`
      await run.pg.resume()
      downMs = performance.now() - t
    },
  )
  await work.faultDone
  const { violations, store, eras } = await afterFault(run, work)
  if (!work.seen.some(isUnavailable))
    violations.push('no client saw the stop: no call was answered "unavailable"')
  const { rows } = await run.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM notes WHERE note_text LIKE 'pgstop %'`,
  )
  const kept = rows[0]?.n ?? 0
  if (kept < work.notes.ok || kept > work.notes.attempted) {
    violations.push(
      `${kept} notes stored, but ${work.notes.ok} were confirmed of ${work.notes.attempted} attempted`,
    )
  }
  const unclear = work.seen.filter((r) => r.outcome === 'tool_error' && !isUnavailable(r))
  if (unclear.length > 0)
    violations.push(
      `${unclear.length} errors that do not say the store is unavailable: ${unclear[0]?.error}`,
    )
  if (!healthWhileDown.startsWith('503'))
    violations.push(`/healthz answered ${healthWhileDown} while Postgres was down`)
  violations.push(...(await recovered(run)))
  return {
    name: `fault: Postgres stopped at once (pg_ctl -m immediate) during ${sessions * 8} writes`,
    figures: [
      ['clients saw', describeFailures(work.seen)],
      ['calls by protocol era', eras],
      ['Postgres down', `${(downMs / 1000).toFixed(1)} s; /healthz meanwhile: ${healthWhileDown}`],
      [
        'notes',
        `${work.notes.ok} confirmed, ${kept} stored, ${work.notes.attempted} attempted (an unconfirmed one may or may not have committed; each stored one has its audit row)`,
      ],
      ['store', store],
    ],
    violations,
  }
}
