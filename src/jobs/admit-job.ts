import type { Database } from '../store/database.ts'
import type { TaskOutcome } from './audited-task.ts'
import type { Envelope } from './envelope.ts'
import { jobRuns } from './job-runs.ts'

/**
 * Whether a job of `trigger` may run now: its envelope, or why not (none is declared; today's
 * budget for the trigger is spent), as the outcome that hands it to a person.
 */
export async function admitJob(
  db: Database,
  trigger: string,
  envelope: Envelope | undefined,
  /** The run asking: its reservation is recorded on it. */
  runId: number,
): Promise<{ envelope: Envelope } | { refused: TaskOutcome }> {
  if (envelope === undefined) {
    return {
      refused: {
        status: 'handed_over',
        reason: 'no_envelope',
        detail: `no envelope is declared for ${trigger} jobs`,
      },
    }
  }
  // One admission at a time per trigger, each reserving a whole job's tokens until its run ends:
  // jobs running at once cannot together spend past the day's budget.
  const refused = await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`job-budget:${trigger}`])
    const spent = await jobRuns.spentToday(tx, trigger)
    if (
      spent.tokens + envelope.tokensPerJob > envelope.tokensPerDay ||
      (envelope.usdPerDay !== undefined && spent.usd >= envelope.usdPerDay)
    ) {
      return spent
    }
    await jobRuns.reserve(tx, runId, envelope.tokensPerJob)
    return undefined
  })
  if (refused !== undefined) {
    return {
      refused: {
        status: 'handed_over',
        reason: 'daily_budget',
        detail: `today's budget for ${trigger} jobs is spent (${refused.tokens} tokens spent or held by running jobs, of ${envelope.tokensPerDay})`,
      },
    }
  }
  return { envelope }
}
