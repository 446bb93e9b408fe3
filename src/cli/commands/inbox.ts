import { buildGateway } from '../../app/build-gateway.ts'
import { openMigratedDatabase } from '../../app/open-migrated-database.ts'
import type { PreparedDatabase } from '../../app/open-worker.ts'
import type { Runtime } from '../../app/runtime.ts'
import type { Identity } from '../../auth/identity.ts'
import { scopesFor } from '../../auth/scopes.ts'
import { listInbox } from '../../gateway/staff-inbox.ts'
import { JOBS_INBOX } from '../../jobs/jobs-inbox.ts'
import { InvalidInputError } from '../../lib/errors.ts'
import { staffRequests } from '../../memory/staff-requests.ts'
import { packScopes } from '../../pack/domain-pack.ts'
import { summaryText } from '../../protocol/approval-summary.ts'
import { type CliContext, loadRuntime } from '../cli-context.ts'

/** Who the command line acts as when it decides for staff and `--as` names nobody. */
const OPERATOR = 'local|operator'

/** `fte inbox`: what waits for staff, oldest first, with the command that answers each. */
export async function inboxCommand(
  context: CliContext,
  options: { json?: boolean },
): Promise<number> {
  const runtime = loadRuntime(context)
  const db = await openMigratedDatabase(runtime)
  try {
    // The jobs' kinds too: replies to approve, jobs handed over, failed jobs (`fte jobs` acts on them).
    const items = await listInbox(db, [...(runtime.pack.staff?.inbox ?? []), ...JOBS_INBOX])
    if (options.json === true) {
      context.stdout.write(`${JSON.stringify({ items }, null, 2)}\n`)
      return 0
    }
    if (items.length === 0) {
      context.stdout.write('The staff inbox is empty: nothing waits for a person.\n')
      return 0
    }
    const now = Date.now()
    for (const item of items) {
      const claimed = item.claimedBy === null ? '' : `, claimed by ${item.claimedBy.name}`
      context.stdout.write(
        `${item.kindLabel}: ${item.title}\n  ${item.id}  (${age(now - item.createdAt.getTime())} old${claimed})\n`,
      )
      // The pack's own packet may name the customer already, in more detail.
      if (item.customer !== null && !item.lines.some((line) => line.label === 'Customer')) {
        context.stdout.write(`  Customer: ${item.customer.name}\n`)
      }
      for (const line of item.lines) context.stdout.write(`  ${line.label}: ${line.value}\n`)
      if (item.kind === 'request') {
        const id = item.id.slice('request:'.length)
        context.stdout.write(
          `  approve: npm run fte -- approve ${id}\n  reject:  npm run fte -- approve ${id} --reject --reason "…"\n`,
        )
      }
      if (item.kind === 'failed_job') {
        const id = item.id.slice('failed_job:'.length)
        context.stdout.write(
          `  retry:  npm run fte -- jobs retry ${id}\n  cancel: npm run fte -- jobs cancel ${id}\n`,
        )
      }
      context.stdout.write('\n')
    }
    return 0
  } finally {
    await db.close()
  }
}

/**
 * `fte approve <id>` on a request the gateway put to staff: decided on this machine, as the staff
 * member `--as` names (by default the pack's demo staff person), on the database the command
 * opened. Undefined when `id` is no such request (it is then a Worker approval).
 */
export async function decideStaffRequestCommand(
  context: CliContext,
  runtime: Runtime,
  prepared: PreparedDatabase,
  id: string,
  options: { reject?: boolean; reason?: string; as?: string; json?: boolean },
): Promise<number | undefined> {
  if ((await staffRequests.find(prepared.db, id)) === undefined) return undefined
  if (options.reject === true && (options.reason ?? '').trim() === '') {
    throw new InvalidInputError('say why with --reason "…": the customer is told')
  }
  const decided = await decide(prepared, runtime, id, options)
  if (options.json === true) {
    context.stdout.write(`${JSON.stringify(decided)}\n`)
  } else {
    context.stdout.write(
      `${decided.status === 'approved' ? '✓ approved' : '✗ rejected'} by ${decided.decidedBy}:\n` +
        `${summaryText(decided.summary)
          .split('\n')
          .map((line) => `  ${line}`)
          .join('\n')}\n` +
        (decided.outcome === null ? '' : `  Outcome: ${decided.outcome.text}\n`) +
        (decided.reportedAt === null
          ? '  The customer is told the next time their client begins a session.\n'
          : '  The customer was told in their conversation.\n'),
    )
  }
  return 0
}

async function decide(
  { db, embedder }: PreparedDatabase,
  runtime: Runtime,
  id: string,
  options: { reject?: boolean; reason?: string; as?: string },
) {
  const { pack } = runtime
  const staff: Identity = {
    sub: options.as ?? pack.demoPeople?.staff ?? OPERATOR,
    role: 'staff',
    scopes: scopesFor('staff', packScopes(pack)),
  }
  const gateway = await buildGateway(runtime, db, embedder)
  return gateway.decide({
    requestId: id,
    decision: options.reject === true ? 'rejected' : 'approved',
    reason: options.reason,
    identity: staff,
  })
}

/** How long, in the largest unit that reads well: `3 min`, `5 h`, `2 days`. */
export function age(ms: number): string {
  const minutes = Math.floor(ms / 60_000)
  if (minutes < 1) return 'under a minute'
  if (minutes < 60) return `${minutes} min`
  const hours = Math.floor(minutes / 60)
  return hours < 48 ? `${hours} h` : `${Math.floor(hours / 24)} days`
}
