import type { z } from 'zod'
import { type InvocationRecorder, invokeAudited } from '../audit/audit-writer.ts'
import type { Refusal } from '../audit/refused-calls.ts'
import type { Identity } from '../auth/identity.ts'
import { missingScopeMessage } from '../auth/scopes.ts'
import type { Search } from '../embedding/search.ts'
import { errorMessage, FteError } from '../lib/errors.ts'
import type { JsonObject } from '../lib/json.ts'
import type { Logger } from '../lib/logger.ts'
import { within } from '../lib/within.ts'
import type { Database } from '../store/database.ts'
import type { RateDecision, RateLimit } from '../store/rate-limiter.ts'
import { SQLSTATE, sqlState } from '../store/sql-error.ts'
import { auditedPreview, previewOf } from './approval-summary.ts'
import { type GatewayTool, requiredScope, type ToolResult } from './gateway-tool.ts'
import { inputProblem, MAX_INPUT_BYTES } from './input-bounds.ts'
import { recordedArguments, recordedResult } from './recorded-call.ts'
import { type SessionClaims, verifySessionHandle } from './session-handle.ts'

/** Ends every successful result: the rules, one line, every time. */
export const REMINDER =
  'Rules: answer only from tool results; never invent ids, amounts, dates or policy; if a tool ' +
  'fails, say you cannot check right now.'

/** The fail-closed answer when the system of record cannot be reached or the call failed. */
export const UNAVAILABLE =
  'The system of record is unavailable right now, so this could not be checked. Do not answer ' +
  'from memory and do not invent data (no order numbers, amounts, dates or statuses): tell the ' +
  'user you cannot check at the moment and offer to try again or to hand over to a person.'

/** `_meta` keys a client may send with a call. */
export const META = {
  session: 'io.digital-fte/session',
  conversation: 'io.digital-fte/conversation',
  trace: 'io.digital-fte/trace',
  /** `true`: describe the call for a person's approval (read-only) instead of running it. */
  preview: 'io.digital-fte/preview',
} as const

/** Error codes that mean the caller must change something; everything else fails closed. */
const CALLER_CODES = new Set([
  'invalid_input',
  'not_found',
  'session_invalid',
  'forbidden',
  'insufficient_scope',
  'conflict',
  'too_many_calls',
  'rate_limited',
  'embedding_model_mismatch',
])

export interface GatewayDeps {
  db: Database
  /** For read-only tools: read-only statements cancelled at the tool time limit. */
  reads: Database
  /** False when `reads` cannot limit a statement on its own: every read then gets a transaction. */
  readStatements: boolean
  /** Group commit for the invocations of reads and refused calls (no business write beside them). */
  recorder: InvocationRecorder
  sessionKey: Uint8Array
  sessionTtlSeconds: number
  toolTimeoutMs: number
  maxConcurrentPerIdentity: number
  /** Counts a call turned away before it was accepted (see `turnAway`). */
  refusals: (refusal: Refusal) => Promise<void>
  /** The per-identity call budget, kept in Postgres so that every replica shares it. */
  rateLimit: (RateLimit & { take: (key: string) => Promise<RateDecision> }) | undefined
  logger: Logger
  /** Lent to every tool call in its context. */
  search: Search
}

export interface CallOutcome {
  content: Array<{ type: 'text'; text: string }>
  structuredContent?: JsonObject
  isError?: boolean
}

/** Calls in flight per identity, in this process. */
const inFlight = new Map<string, number>()

/**
 * One gateway tool call, whatever the transport, through its guards in order: scope, the
 * per-identity concurrency limit, the per-identity budget, then input bounds and validation, the
 * session contract, and the tool in one audited transaction with a statement timeout and an
 * overall limit. Success → structured result + text + the rules reminder; any failure → an
 * `isError` result (fail closed).
 *
 * A call turned away by the first three guards is charged to the caller's budget and counted, not
 * recorded one by one (see {@link turnAway}); every call past them leaves its invocation row,
 * refused or not.
 */
export async function callTool(
  ready: GatewayDeps | Promise<GatewayDeps>,
  tool: GatewayTool,
  identity: Identity,
  rawArguments: Record<string, unknown> | undefined,
  meta: Record<string, unknown> | undefined,
  signal?: AbortSignal,
): Promise<CallOutcome> {
  let deps: GatewayDeps
  try {
    deps = await ready
  } catch (error) {
    // For the operator reading the client's tool output: why (messages carry no secrets).
    const why =
      error instanceof FteError
        ? ` (The gateway could not open its database: ${error.message})`
        : ''
    return { content: [{ type: 'text', text: `${UNAVAILABLE}${why}` }], isError: true }
  }
  const refused = scopeRefusal(tool, identity)
  if (refused !== undefined) return turnAway(deps, tool, identity, refused, { charge: true })
  const running = inFlight.get(identity.sub) ?? 0
  if (running >= deps.maxConcurrentPerIdentity) {
    const tooMany = new FteError(
      'too_many_calls',
      `Too many tool calls at once for this user (limit ${deps.maxConcurrentPerIdentity}); wait for the running ones to finish.`,
      { fault: 'caller' },
    )
    return turnAway(deps, tool, identity, tooMany, { charge: true })
  }
  // Taken before the first await, so that calls arriving together count each other; nothing
  // between here and the `finally` may escape its release.
  inFlight.set(identity.sub, running + 1)
  try {
    const limited = await overBudget(deps, identity)
    if (limited !== undefined) return await turnAway(deps, tool, identity, limited)
    return await runAccepted(deps, tool, identity, rawArguments ?? {}, meta, signal)
  } finally {
    leave(identity.sub)
  }
}

/** A call past the first guards: from here on, every call leaves its own invocation row. */
async function runAccepted(
  deps: GatewayDeps,
  tool: GatewayTool,
  identity: Identity,
  rawArguments: Record<string, unknown>,
  meta: Record<string, unknown> | undefined,
  signal: AbortSignal | undefined,
): Promise<CallOutcome> {
  const started = performance.now()
  let recorded: JsonObject = {}
  // A preview is its own invocation, read-only whatever the tool does.
  const preview = meta?.[META.preview] === true
  let session: SessionClaims | undefined
  // Refusals before the transaction are recorded here; inside it, invokeAudited records them.
  let inTransaction = false
  try {
    const args = { ...rawArguments }
    const metaSession = typeof meta?.[META.session] === 'string' ? meta[META.session] : undefined
    const handle =
      typeof args.session === 'string' ? args.session : (metaSession as string | undefined)
    const trace = typeof meta?.[META.trace] === 'string' ? (meta[META.trace] as string) : undefined
    recorded = recordedArguments(tool, args, trace)
    const unacceptable = inputProblem(args, tool.maxInputBytes ?? MAX_INPUT_BYTES)
    if (unacceptable !== undefined) {
      throw new FteError('invalid_input', `Invalid arguments: ${unacceptable}.`, {
        fault: 'caller',
      })
    }
    const parsed = tool.input.safeParse(args)
    if (!parsed.success)
      throw new FteError('invalid_input', describeIssues(parsed.error), { fault: 'caller' })
    if (tool.needsSession !== false) {
      session = await verifySessionHandle(deps.sessionKey, handle, identity.sub)
    }
    const conversationId = session?.conversationId
    let text = ''
    inTransaction = true
    const data = await invokeAudited(
      deps.db,
      {
        capability: `mcp:${tool.name}${preview ? ':preview' : ''}`,
        actor: `gateway:${identity.sub}`,
        arguments: recorded,
        conversationId: conversationId ?? null,
      },
      async ({ tx, record }) => {
        const timeout = new AbortController()
        const cancel = () => timeout.abort()
        signal?.addEventListener('abort', cancel, { once: true })
        let timer: NodeJS.Timeout | undefined
        try {
          const result: ToolResult = await Promise.race([
            (preview ? previewOf(tool) : tool).run(
              {
                tx,
                identity,
                session,
                conversationId,
                record: (entry) => record({ actor: `gateway:${identity.sub}`, ...entry }),
                signal: timeout.signal,
                meta: meta ?? {},
                search: deps.search,
              },
              parsed.data as z.output<typeof tool.input>,
            ),
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => {
                timeout.abort()
                reject(
                  new FteError(
                    'timeout',
                    `${tool.name} did not finish within ${deps.toolTimeoutMs} ms`,
                  ),
                )
              }, deps.toolTimeoutMs)
            }),
          ])
          text = result.text
          return result.data
        } finally {
          clearTimeout(timer)
          signal?.removeEventListener('abort', cancel)
        }
      },
      {
        statementTimeoutMs: Math.trunc(deps.toolTimeoutMs),
        recordedResult: preview ? auditedPreview : (result) => recordedResult(tool, result),
        ...(preview || tool.annotations.readOnlyHint
          ? {
              reads: {
                db: deps.reads,
                transaction: preview || tool.isolation !== 'statement' || !deps.readStatements,
                recorder: deps.recorder,
              },
            }
          : {}),
      },
    )
    return {
      content: [{ type: 'text', text: `${text}\n\n${REMINDER}` }],
      structuredContent: data,
    }
  } catch (error) {
    const outcome = refusal(error)
    if (!inTransaction) {
      // Refused before the transaction (bad input, no session): still one invocation row.
      await recordRefusal(deps, tool, identity, error, {
        arguments: recorded,
        conversationId: session?.conversationId ?? null,
        latencyMs: performance.now() - started,
      })
    }
    if (!isCallerError(error)) {
      deps.logger.warn({ tool: tool.name, err: errorMessage(error) }, 'tool call failed closed')
    }
    return { content: outcome.content, isError: true }
  }
}

/** A call of `sub`'s is over: one fewer in flight. */
function leave(sub: string): void {
  const now = (inFlight.get(sub) ?? 1) - 1
  if (now <= 0) inFlight.delete(sub)
  else inFlight.set(sub, now)
}

/**
 * The refusal of a call beyond the identity's budget, or undefined. A database that cannot count
 * refuses the call too (fail closed), with the usual unavailable answer.
 */
async function overBudget(deps: GatewayDeps, identity: Identity): Promise<FteError | undefined> {
  if (deps.rateLimit === undefined) return undefined
  let decision: RateDecision
  try {
    decision = await within(deps.rateLimit.take(`mcp:${identity.sub}`), deps.toolTimeoutMs)
  } catch (error) {
    deps.logger.warn(
      { err: errorMessage(error) },
      'tool call refused: the rate limit could not be read',
    )
    return new FteError('unavailable', 'the rate limit could not be read')
  }
  if (decision.allowed) return undefined
  return new FteError(
    'rate_limited',
    `Too many tool calls for this user (at most ${deps.rateLimit.perMinute} a minute, ` +
      `${deps.rateLimit.burst} at once); wait ${decision.retryAfterSeconds} s before the next one.`,
    { fault: 'caller' },
  )
}

/** The refusal a call of `tool` by `identity` gets when its token lacks the scope the tool needs. */
export function scopeRefusal(tool: GatewayTool, identity: Identity): FteError | undefined {
  const scope = requiredScope(tool)
  if (identity.scopes.includes(scope)) return undefined
  return new FteError('insufficient_scope', missingScopeMessage(scope, tool.name), {
    fault: 'caller',
  })
}

/**
 * Answers a call turned away before it was accepted (no scope, too many at once, over budget).
 * With `charge`, the call still spends the caller's budget, so refusals cannot be sent for free.
 * It is counted in its (identity, reason, minute) row, not recorded one row per call: a flood of
 * refusals grows the audit log by one row a minute, not two rows a call. Neither step can change
 * the answer: a failure is logged and the call refused all the same.
 */
export async function turnAway(
  deps: Pick<GatewayDeps, 'rateLimit' | 'refusals' | 'toolTimeoutMs' | 'logger'>,
  tool: GatewayTool,
  identity: Identity,
  error: FteError,
  options: { charge?: boolean } = {},
): Promise<CallOutcome> {
  const key = `mcp:${identity.sub}`
  const charged =
    options.charge === true && deps.rateLimit !== undefined
      ? within(deps.rateLimit.take(key), deps.toolTimeoutMs)
      : undefined
  await Promise.all([
    charged,
    deps.refusals({ subject: identity.sub, reason: error.code, capability: `mcp:${tool.name}` }),
  ]).catch((failure: unknown) =>
    deps.logger.warn({ err: errorMessage(failure) }, 'a refused call could not be counted'),
  )
  return refusal(error)
}

/**
 * The invocation row of an accepted call refused before its transaction (bad input, no session):
 * its status `error`, its reason, its arguments as recorded. A failure to record is swallowed: the
 * call is refused either way.
 */
export async function recordRefusal(
  deps: Pick<GatewayDeps, 'recorder'>,
  tool: GatewayTool,
  identity: Identity,
  error: unknown,
  extra: { arguments: JsonObject; conversationId: string | null; latencyMs: number },
): Promise<void> {
  await deps
    .recorder({
      capability: `mcp:${tool.name}`,
      actor: `gateway:${identity.sub}`,
      arguments: extra.arguments,
      conversationId: extra.conversationId,
      status: 'error',
      result: {
        error: error instanceof FteError ? error.code : 'internal',
        message: errorMessage(error),
      },
      latencyMs: extra.latencyMs,
    })
    .catch(() => {})
}

function isCallerError(error: unknown): boolean {
  return error instanceof FteError && CALLER_CODES.has(error.code)
}

function refusal(error: unknown): CallOutcome {
  if (isCallerError(error)) {
    return { content: [{ type: 'text', text: (error as Error).message }], isError: true }
  }
  if (sqlState(error) === SQLSTATE.uniqueViolation) {
    // Two calls raced for one key (an idempotency key sent twice at once, say); ours rolled back.
    return {
      content: [
        {
          type: 'text',
          text: 'This request clashed with another made at the same moment (the same idempotency key?) and was not carried out. Retry it.',
        },
      ],
      isError: true,
    }
  }
  const timedOut =
    (error instanceof FteError && error.code === 'timeout') ||
    sqlState(error) === SQLSTATE.queryCanceled
  return {
    content: [
      {
        type: 'text',
        text: timedOut ? `The call timed out. ${UNAVAILABLE}` : UNAVAILABLE,
      },
    ],
    isError: true,
  }
}

function describeIssues(error: z.ZodError): string {
  const issues = error.issues.map((issue) => {
    const path = issue.path.join('.')
    return path === '' ? issue.message : `${path}: ${issue.message}`
  })
  return `Invalid arguments: ${issues.join('; ')}`
}
