import type { Identity } from '../../auth/identity.ts'
import { CallerError, errorMessage, type FteError, SystemError } from '../../lib/errors.ts'
import { within } from '../../lib/within.ts'
import type { RateDecision } from '../../store/rate-limiter.ts'
import type { GatewayDeps } from './gateway-deps.ts'

/** The budget key of an identity's tool calls, shared by every replica. */
export const budgetKey = (identity: Identity) => `mcp:${identity.sub}`

/**
 * The refusal of a call beyond the identity's budget, or undefined. A database that cannot count
 * refuses the call too (fail closed), with the usual unavailable answer.
 */
export async function overBudget(
  deps: Pick<GatewayDeps, 'rateLimit' | 'toolTimeoutMs' | 'logger'>,
  identity: Identity,
): Promise<FteError | undefined> {
  if (deps.rateLimit === undefined) return undefined
  let decision: RateDecision
  try {
    decision = await within(deps.rateLimit.take(budgetKey(identity)), deps.toolTimeoutMs)
  } catch (error) {
    deps.logger.warn(
      { err: errorMessage(error) },
      'tool call refused: the rate limit could not be read',
    )
    return new SystemError('unavailable', 'the rate limit could not be read')
  }
  if (decision.allowed) return undefined
  return new CallerError(
    'rate_limited',
    `Too many tool calls for this user (at most ${deps.rateLimit.perMinute} a minute, ` +
      `${deps.rateLimit.burst} at once); wait ${decision.retryAfterSeconds} s before the next one.`,
  )
}
