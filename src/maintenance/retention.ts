import { writeAudit } from '../audit/audit-writer.ts'
import { closeRefusalMinutes } from '../audit/refused-calls.ts'
import { MIN_AUDIT_DAYS } from '../config/sections/retention.ts'
import { consentRequests as consentQuestions } from '../memory/consent-requests.ts'
import { memoryExpiry } from '../memory/expiry.ts'
import type { Database } from '../store/database.ts'

/** How long each kind of record is kept. */
export interface RetentionPolicy {
  /** Messages, and the conversations and finished runs that hold nothing newer. */
  messageHours: number
  /** Audit rows, the invocations they record, and trace spans; at least 30 (the database's floor). */
  auditDays: number
  /** Idempotency records: the first answer a retried write gets back. */
  idempotencyHours: number
}

/** How many rows of each kind one run removed. */
export interface RetentionReport {
  messages: number
  agentRuns: number
  consentRequests: number
  conversations: number
  idempotencyRecords: number
  rateLimits: number
  changeEvents: number
  emails: number
  outbox: number
  jobRuns: number
  spans: number
  auditRows: number
  invocations: number
}

/**
 * Hours the change feed keeps a change: a page away longer than this resumes with a reset (it
 * reloads what it shows), so nothing is lost but the replay.
 */
const CHANGE_FEED_HOURS = 24

/** The longest MCP_CONSENT_TIMEOUT_MS allows: a question open longer went unanswered. */
const LONGEST_CONSENT_MS = 3_600_000

/** Rows per statement: a long cleanup never holds one long lock. */
const BATCH = 5000

/**
 * Removes what has outlived `policy`, in batches, and records what it removed as one
 * `retention_applied` audit row (none when nothing expired). What is still in use stays whatever
 * its age: a conversation with a run waiting for approval or with activity since the cutoff, and
 * runs waiting for a decision.
 */
export async function applyRetention(
  db: Database,
  policy: RetentionPolicy,
  onProgress: (step: keyof RetentionReport, removed: number) => void = () => {},
): Promise<RetentionReport> {
  if (policy.auditDays < MIN_AUDIT_DAYS) {
    throw new RangeError(`audit rows are kept at least ${MIN_AUDIT_DAYS} days`)
  }
  const messageCutoff = 'now() - make_interval(hours => $1::int)'
  const auditCutoff = 'now() - make_interval(days => $1::int)'
  const { messageHours, auditDays, idempotencyHours } = policy
  // Refusals counted in minutes that have closed become their audit rows before anything expires,
  // and so do the gateway's questions nobody answered (a gateway restarted while one waited): no
  // answer in time is a no, however long ago.
  await closeRefusalMinutes(db)
  await consentQuestions.closeUnanswered(db, LONGEST_CONSENT_MS)

  /** Runs one batched DELETE (`$2` its batch size) until a batch comes back short. */
  async function drain(step: keyof RetentionReport, sql: string, value: number) {
    let total = 0
    for (;;) {
      const { rowCount } = await db.query(sql, [value, BATCH])
      total += rowCount
      if (rowCount < BATCH) break
    }
    onProgress(step, total)
    return total
  }

  // Emails are messages too: kept no longer, once answered (a queued one waits for its job). A
  // reply leaves the outbox once it is sent or decided against.
  const emails = await drain(
    'emails',
    `DELETE FROM inbound_emails WHERE id IN (
       SELECT id FROM inbound_emails WHERE received_at < ${messageCutoff} AND status <> 'queued'
       LIMIT $2)`,
    messageHours,
  )
  const outbox = await drain(
    'outbox',
    `DELETE FROM email_outbox WHERE id IN (
       SELECT id FROM email_outbox WHERE created_at < ${messageCutoff}
         AND status IN ('sent', 'discarded', 'failed') LIMIT $2)`,
    messageHours,
  )
  const messages = await drain('messages', memoryExpiry.messages(messageCutoff), messageHours)
  const agentRuns = await drain('agentRuns', memoryExpiry.finishedRuns(messageCutoff), messageHours)
  const consentRequests = await drain(
    'consentRequests',
    memoryExpiry.answeredConsents(messageCutoff),
    messageHours,
  )
  const conversations = await drain(
    'conversations',
    memoryExpiry.idleConversations(messageCutoff),
    messageHours,
  )
  const idempotencyRecords = await drain(
    'idempotencyRecords',
    `DELETE FROM idempotency_records WHERE (tool, subject, idempotency_key) IN (
       SELECT tool, subject, idempotency_key FROM idempotency_records
       WHERE created_at < ${messageCutoff} LIMIT $2)`,
    idempotencyHours,
  )
  // A budget whose next allowed time has passed is the same as no row at all.
  const rateLimits = await drain(
    'rateLimits',
    `DELETE FROM rate_limits WHERE key IN (
       SELECT key FROM rate_limits WHERE tat < now() - make_interval(secs => $1::int) LIMIT $2)`,
    0,
  )
  const changeEvents = await drain(
    'changeEvents',
    `DELETE FROM change_events WHERE seq IN (
       SELECT seq FROM change_events WHERE created_at < ${messageCutoff} ORDER BY seq LIMIT $2)`,
    CHANGE_FEED_HOURS,
  )
  // A job's runs are its history, kept as long as the audit rows that record them.
  const jobRuns = await drain(
    'jobRuns',
    `DELETE FROM job_runs WHERE id IN (
       SELECT id FROM job_runs WHERE started_at < ${auditCutoff} AND status <> 'running' LIMIT $2)`,
    auditDays,
  )
  const spans = await drain('spans', memoryExpiry.spans(auditCutoff), auditDays)
  // Audit rows leave only through the database's own function (the table is append-only), and
  // the invocations they recorded with them.
  let auditRows = 0
  let invocations = 0
  for (;;) {
    const { rows } = await db.query<{ audit_rows: string; invocations: string }>(
      `SELECT audit_rows, invocations FROM audit_log_expire(${auditCutoff}, $2)`,
      [auditDays, BATCH],
    )
    const removed = {
      audit: Number(rows[0]?.audit_rows ?? 0),
      calls: Number(rows[0]?.invocations ?? 0),
    }
    auditRows += removed.audit
    invocations += removed.calls
    if (removed.audit < BATCH && removed.calls < BATCH) break
  }
  onProgress('auditRows', auditRows)
  onProgress('invocations', invocations)

  const report = {
    messages,
    agentRuns,
    consentRequests,
    conversations,
    idempotencyRecords,
    rateLimits,
    changeEvents,
    emails,
    outbox,
    jobRuns,
    spans,
    auditRows,
    invocations,
  }
  if (Object.values(report).some((n) => n > 0)) {
    await writeAudit(db, {
      action: 'retention_applied',
      actor: 'system:retention',
      payload: { removed: { ...report }, policy: { ...policy } },
    })
  }
  return report
}
