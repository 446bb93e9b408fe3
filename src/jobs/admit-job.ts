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
  const spent = await jobRuns.spentToday(db, trigger)
  if (
    spent.tokens >= envelope.tokensPerDay ||
    (envelope.usdPerDay !== undefined && spent.usd >= envelope.usdPerDay)
  ) {
    return {
      refused: {
        status: 'handed_over',
        reason: 'daily_budget',
        detail: `today's budget for ${trigger} jobs is spent (${spent.tokens} tokens of ${envelope.tokensPerDay})`,
      },
    }
  }
  return { envelope }
}
