import { openMigratedDatabase } from '../../app/open-migrated-database.ts'
import { applyRetention, type RetentionReport } from '../../maintenance/retention.ts'
import { type CliContext, loadRuntime } from '../cli-context.ts'

const LABELS: Record<keyof RetentionReport, string> = {
  messages: 'messages',
  agentRuns: 'finished runs',
  consentRequests: 'consent questions answered',
  conversations: 'conversations',
  idempotencyRecords: 'idempotency records',
  rateLimits: 'rate-limit rows',
  changeEvents: 'live-update changes',
  emails: 'emails received',
  outbox: 'emails sent',
  jobRuns: 'job runs',
  spans: 'trace spans',
  auditRows: 'audit rows',
  invocations: 'invocations',
}

/** `fte cleanup`: applies the retention settings once and says how many rows of each kind went. */
export async function cleanupCommand(context: CliContext, options: { json?: boolean }) {
  const runtime = loadRuntime(context)
  const { policy } = runtime.config.retention
  const db = await openMigratedDatabase(runtime)
  try {
    const report = await applyRetention(db, policy)
    if (options.json) {
      context.stdout.write(`${JSON.stringify({ removed: report, policy }, null, 2)}\n`)
      return
    }
    context.stdout.write(
      `${db.description}: removed what expired (messages after ${policy.messageHours} h, ` +
        `idempotency records after ${policy.idempotencyHours} h, audit rows after ${policy.auditDays} days)\n`,
    )
    for (const [key, label] of Object.entries(LABELS)) {
      const removed = report[key as keyof RetentionReport]
      context.stdout.write(`  ${label.padEnd(20)} ${String(removed).padStart(8)}\n`)
    }
  } finally {
    await db.close()
  }
}
