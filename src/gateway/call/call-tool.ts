import type { InputRequiredResult } from '@modelcontextprotocol/server'
import type { Identity } from '../../auth/identity.ts'
import { CallerError, FteError, SystemError } from '../../lib/errors.ts'
import type { ToolDefinition } from '../../pack/tool-definition.ts'
import { runAccepted } from './accepted-call.ts'
import { overBudget } from './budget-guard.ts'
import type { ConsentChannel } from './consent-guard.ts'
import { type CallOutcome, errorResult } from './error-result.ts'
import type { GatewayDeps } from './gateway-deps.ts'
import { scopeRefusal } from './scope-guard.ts'
import { turnAway } from './turn-away.ts'

/**
 * One gateway tool call, whatever the transport, through its guards in order: scope, the
 * per-identity concurrency limit, the per-identity budget, then input bounds and validation, the
 * session contract, the person's consent where the gateway asks for it, and the tool in one audited transaction with a statement timeout and an
 * overall limit. Success → structured result + text + the rules reminder; any failure → an
 * `isError` result with its code (fail closed).
 *
 * A call turned away by the first three guards is charged to the caller's budget and counted, not
 * recorded one by one (see {@link turnAway}); every call past them leaves its invocation row,
 * refused or not.
 */
export async function callTool(
  ready: GatewayDeps | Promise<GatewayDeps>,
  tool: ToolDefinition,
  identity: Identity,
  rawArguments: Record<string, unknown> | undefined,
  meta: Readonly<Record<string, unknown>> | undefined,
  signal?: AbortSignal,
  consent?: ConsentChannel,
): Promise<CallOutcome | InputRequiredResult> {
  let deps: GatewayDeps
  try {
    deps = await ready
  } catch (error) {
    // For the operator reading the client's tool output: why (messages carry no secrets).
    const why =
      error instanceof FteError
        ? ` (The gateway could not open its database: ${error.message})`
        : ''
    return errorResult(new SystemError('unavailable', 'the database is not open'), why)
  }
  const refused = scopeRefusal(tool, identity)
  if (refused !== undefined) return turnAway(deps, tool, identity, refused, { charge: true })
  if (!deps.inFlight.enter(identity.sub, deps.maxConcurrentPerIdentity)) {
    const tooMany = new CallerError(
      'too_many_calls',
      `Too many tool calls at once for this user (limit ${deps.maxConcurrentPerIdentity}); wait for the running ones to finish.`,
    )
    return turnAway(deps, tool, identity, tooMany, { charge: true })
  }
  // Nothing between `enter` and the `finally` may escape its release.
  try {
    const limited = await overBudget(deps, identity)
    if (limited !== undefined) return await turnAway(deps, tool, identity, limited)
    return await runAccepted(deps, tool, identity, rawArguments ?? {}, meta ?? {}, signal, consent)
  } finally {
    deps.inFlight.leave(identity.sub)
  }
}
