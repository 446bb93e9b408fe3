import { invocationRecorder } from '../audit/invocation-recorder.ts'
import { closeRefusalMinutes, countRefusal, type Refusal } from '../audit/refused-calls.ts'
import { errorMessage } from '../lib/errors.ts'
import type { Logger } from '../lib/logger.ts'
import type { Database } from '../store/database.ts'
import type { GatewayDeps } from './call/gateway-deps.ts'
import type { GatewayOptions } from './gateway.ts'

/** How often, at most, a process that counts refusals closes the minutes that have ended. */
const CLOSE_REFUSALS_MS = 30_000

/**
 * Counts refused calls, and now and then (while refusals keep coming) turns the minutes that have
 * closed into their audit rows; retention closes any left when they stop.
 */
export function refusalCounting(db: Database, logger: Logger): (refusal: Refusal) => Promise<void> {
  let closedAt = 0
  return async (refusal) => {
    await countRefusal(db, refusal)
    if (Date.now() - closedAt < CLOSE_REFUSALS_MS) return
    closedAt = Date.now()
    closeRefusalMinutes(db).catch((error: unknown) =>
      logger.warn(
        { err: errorMessage(error) },
        'refused calls could not be closed into the audit log',
      ),
    )
  }
}

/**
 * The gateway's own pools, so that it neither starves the rest of the process nor is starved by it:
 * read-only tools run read-only statements cancelled at the tool time limit, and the invocations
 * of reads are group-committed through a connection or two of their own. The read limits travel as
 * connection startup parameters; a server or pooler that refuses them (or any other failure to
 * open a pool) leaves that work on the main pool, reads in transactions (SET LOCAL works
 * everywhere).
 */
export async function poolsOf(
  db: Database,
  options: GatewayOptions,
): Promise<Pick<GatewayDeps, 'reads' | 'readStatements' | 'recorder'>> {
  const usable = async (pool: Database, what: string): Promise<boolean> => {
    if (pool === db) return true
    try {
      await pool.query('SELECT 1')
      return true
    } catch (error) {
      options.logger.warn(
        { err: errorMessage(error) },
        `the gateway's ${what} connections could not be opened; that work uses the main pool`,
      )
      return false
    }
  }
  const reads = db.pool({
    purpose: 'gateway reads',
    readOnly: true,
    statementTimeoutMs: Math.trunc(options.toolTimeoutMs),
  })
  // The recorder writes one statement at a time; the second connection serves its retries.
  const audit = db.pool({ purpose: 'gateway audit', max: 2 })
  const [readsOk, auditOk] = await Promise.all([usable(reads, 'read'), usable(audit, 'audit')])
  return {
    reads: readsOk ? reads : db,
    readStatements: readsOk,
    recorder: invocationRecorder(auditOk ? audit : db),
  }
}
