import type { Identity } from '../../auth/identity.ts'
import { errorMessage, type FteError } from '../../lib/errors.ts'
import { within } from '../../lib/within.ts'
import type { ToolDefinition } from '../../pack/tool-definition.ts'
import { budgetKey } from './budget-guard.ts'
import { type CallOutcome, errorResult } from './error-result.ts'
import type { GatewayDeps } from './gateway-deps.ts'

/**
 * Answers a call turned away before it was accepted (no scope, too many at once, over budget).
 * With `charge`, the call still spends the caller's budget, so refusals cannot be sent for free.
 * It is counted in its (identity, reason, minute) row, not recorded one row per call: a flood of
 * refusals grows the audit log by one row a minute, not two rows a call. Neither step can change
 * the answer: a failure is logged and the call refused all the same.
 */
export async function turnAway(
  deps: Pick<GatewayDeps, 'rateLimit' | 'refusals' | 'toolTimeoutMs' | 'logger'>,
  tool: ToolDefinition,
  identity: Identity,
  error: FteError,
  options: { charge?: boolean } = {},
): Promise<CallOutcome> {
  const charged =
    options.charge === true && deps.rateLimit !== undefined
      ? within(deps.rateLimit.take(budgetKey(identity)), deps.toolTimeoutMs)
      : undefined
  await Promise.all([
    charged,
    deps.refusals({ subject: identity.sub, reason: error.code, capability: `mcp:${tool.name}` }),
  ]).catch((failure: unknown) =>
    deps.logger.warn({ err: errorMessage(failure) }, 'a refused call could not be counted'),
  )
  return errorResult(error)
}
