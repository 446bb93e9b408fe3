import type { InputRequiredResult } from '@modelcontextprotocol/server'
import { type CapabilityCall, recordOutcome } from '../../audit/audited.ts'
import type { Identity } from '../../auth/identity.ts'
import { errorMessage } from '../../lib/errors.ts'
import type { JsonObject } from '../../lib/json.ts'
import type { SessionClaims, ToolDefinition } from '../../pack/tool-definition.ts'
import { META, RESULT_META } from '../../protocol/gateway-wire.ts'
import { traceContextOf } from '../../protocol/trace-context.ts'
import { recordedArguments } from '../recorded-call.ts'
import { REMINDER } from './answers.ts'
import { type AcceptedCall, runAudited } from './audited-execution.ts'
import { askConsent, type ConsentChannel } from './consent-guard.ts'
import { type CallOutcome, errorResult, isCallerError } from './error-result.ts'
import type { GatewayDeps } from './gateway-deps.ts'
import { acceptInput } from './input-guard.ts'
import { sessionFor, sessionHandleOf } from './session-guard.ts'

/**
 * A call past the first guards: from here on, every call leaves its own invocation row. Its
 * input is checked, then its session, then the person's consent where the tool needs the gateway
 * to ask for it (a 2026 client gets the question as this call's result, and calls again with the
 * answer), then the tool runs audited; a refusal before the transaction is recorded here, one
 * inside it by the audited execution.
 */
export async function runAccepted(
  deps: GatewayDeps,
  tool: ToolDefinition,
  identity: Identity,
  rawArguments: Record<string, unknown>,
  meta: Readonly<Record<string, unknown>>,
  signal: AbortSignal | undefined,
  consent: ConsentChannel = { kind: 'none' },
): Promise<CallOutcome | InputRequiredResult> {
  const started = performance.now()
  // The caller's trace context goes on the call's rows; a malformed one is left out, not refused.
  const trace = traceContextOf(meta)
  let recorded: JsonObject = {}
  let session: SessionClaims | undefined
  let inTransaction = false
  try {
    const args = { ...rawArguments }
    recorded = recordedArguments(tool, args)
    const input = acceptInput(tool, args)
    session = await sessionFor(deps.sessions, tool, identity, sessionHandleOf(args, meta))
    const call: AcceptedCall = {
      tool,
      identity,
      input,
      session,
      recorded,
      arguments: withoutSession(args),
      meta,
      trace,
      preview: meta[META.preview] === true,
      signal,
    }
    if (tool.consent === 'server' && !call.preview && consent.kind !== 'none') {
      const question = await askConsent(deps, call, consent)
      if (question !== undefined) return question
    }
    inTransaction = true
    const { data, text, staffRequest } = await runAudited(deps, call)
    return {
      content: [{ type: 'text', text: `${text}\n\n${REMINDER}` }],
      structuredContent: data,
      ...(staffRequest === undefined
        ? {}
        : { _meta: { [RESULT_META.staffRequest]: staffRequest } }),
    }
  } catch (error) {
    if (!inTransaction) {
      await recordRefusal(deps, tool, identity, error, {
        arguments: recorded,
        trace,
        conversationId: session?.conversationId ?? null,
        latencyMs: performance.now() - started,
      })
    }
    if (!isCallerError(error)) {
      deps.logger.warn({ tool: tool.name, err: errorMessage(error) }, 'tool call failed closed')
    }
    return errorResult(error)
  }
}

/**
 * The invocation row of an accepted call refused before its transaction (bad input, no session):
 * the failure as every audited call records one, its arguments as recorded. A failure to record is
 * swallowed: the call is refused either way.
 */
async function recordRefusal(
  deps: Pick<GatewayDeps, 'recorder'>,
  tool: ToolDefinition,
  identity: Identity,
  error: unknown,
  extra: Pick<CapabilityCall, 'arguments' | 'trace'> & {
    conversationId: string | null
    latencyMs: number
  },
): Promise<void> {
  await recordOutcome(
    deps.recorder,
    {
      capability: `mcp:${tool.name}`,
      actor: `gateway:${identity.sub}`,
      arguments: extra.arguments,
      conversationId: extra.conversationId,
      trace: extra.trace,
    },
    { error, latencyMs: extra.latencyMs },
  ).catch(() => {})
}

/** The caller's arguments as a staff request keeps them: the session handle left out. */
function withoutSession(args: Record<string, unknown>): JsonObject {
  const kept = { ...args }
  delete kept.session
  return JSON.parse(JSON.stringify(kept)) as JsonObject
}
