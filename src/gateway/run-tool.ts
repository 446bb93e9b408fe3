import { createHash } from 'node:crypto'
import type { z } from 'zod'
import { type InvocationRecorder, invokeAudited } from '../audit/audit-writer.ts'
import { missingScopeMessage } from '../auth/scopes.ts'
import { errorMessage, FteError } from '../lib/errors.ts'
import type { Json, JsonObject } from '../lib/json.ts'
import type { Logger } from '../lib/logger.ts'
import { within } from '../lib/within.ts'
import type { Database } from '../store/database.ts'
import type { RateDecision, RateLimit } from '../store/rate-limiter.ts'
import { SQLSTATE, sqlState } from '../store/sql-error.ts'
import { auditedPreview, previewOf } from './approval-summary.ts'
import { type GatewayTool, requiredScope, type ToolResult } from './gateway-tool.ts'
import type { Identity } from './identity.ts'
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

/** Characters of a call's arguments kept in its invocation row. */
const MAX_AUDITED_ARGUMENTS = 8192

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
  /** The per-identity call budget, kept in Postgres so that every replica shares it. */
  rateLimit: (RateLimit & { take: (key: string) => Promise<RateDecision> }) | undefined
  logger: Logger
}

export interface CallOutcome {
  content: Array<{ type: 'text'; text: string }>
  structuredContent?: JsonObject
  isError?: boolean
}

/** Calls in flight per identity, in this process. */
const inFlight = new Map<string, number>()

/**
 * One gateway tool call, whatever the transport: the per-identity concurrency limit, input
 * validation, the session contract, then the tool in one audited transaction with a statement
 * timeout and an overall limit. Success → structured result + text + the rules reminder; any
 * failure → an `isError` result (fail closed), recorded as an `error` or `timeout` invocation.
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
  if (refused !== undefined) {
    await recordRefusal(deps, tool, identity, refused)
    return { content: refusal(refused).content, isError: true }
  }
  const running = inFlight.get(identity.sub) ?? 0
  if (running >= deps.maxConcurrentPerIdentity) {
    const tooMany = new FteError(
      'too_many_calls',
      `Too many tool calls at once for this user (limit ${deps.maxConcurrentPerIdentity}); wait for the running ones to finish.`,
      { fault: 'caller' },
    )
    // Recorded like any refusal, but without the arguments: a flood is not worth storing twice.
    await recordRefusal(deps, tool, identity, tooMany)
    return { content: refusal(tooMany).content, isError: true }
  }
  // Taken before the first await, so that calls arriving together count each other.
  inFlight.set(identity.sub, running + 1)
  const limited = await overBudget(deps, identity)
  if (limited !== undefined) {
    leave(identity.sub)
    await recordRefusal(deps, tool, identity, limited)
    return { content: refusal(limited).content, isError: true }
  }
  const started = performance.now()
  const args = { ...(rawArguments ?? {}) }
  const metaSession = typeof meta?.[META.session] === 'string' ? meta[META.session] : undefined
  const handle =
    typeof args.session === 'string' ? args.session : (metaSession as string | undefined)
  const trace = typeof meta?.[META.trace] === 'string' ? (meta[META.trace] as string) : undefined
  // A preview is its own invocation, read-only whatever the tool does.
  const preview = meta?.[META.preview] === true
  const recorded = auditArguments(tool, args, trace)
  let session: SessionClaims | undefined
  // Refusals before the transaction are recorded here; inside it, invokeAudited records them.
  let inTransaction = false
  try {
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
        recordedResult: preview ? auditedPreview : auditResult,
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
  } finally {
    leave(identity.sub)
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
 * The invocation row of a call refused before it ran: its status `error`, its reason, and (unless
 * given) no arguments. A failure to record is swallowed: the call is refused either way.
 */
export async function recordRefusal(
  deps: Pick<GatewayDeps, 'recorder'>,
  tool: GatewayTool,
  identity: Identity,
  error: unknown,
  extra: { arguments?: JsonObject; conversationId?: string | null; latencyMs?: number } = {},
): Promise<void> {
  await deps
    .recorder({
      capability: `mcp:${tool.name}`,
      actor: `gateway:${identity.sub}`,
      arguments: extra.arguments ?? {},
      conversationId: extra.conversationId ?? null,
      status: 'error',
      result: {
        error: error instanceof FteError ? error.code : 'internal',
        message: errorMessage(error),
      },
      latencyMs: extra.latencyMs ?? 0,
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

/** What the audit trail keeps of a value it must not hold in clear: enough to match, not to read. */
function digest(value: string): JsonObject {
  return {
    sha256: createHash('sha256').update(value).digest('hex').slice(0, 16),
    length: value.length,
  }
}

/**
 * A result as the audit trail keeps it: every email in it hashed (the model got them in clear),
 * and no credential at all (the session handle begin_session returns).
 */
function auditResult(value: Json): Json {
  if (Array.isArray(value)) return value.map(auditResult)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => {
      if (typeof inner !== 'string') return [key, auditResult(inner)]
      if (/handle|token|secret/i.test(key)) return [key, '[redacted]']
      return [key, /email/i.test(key) ? digest(inner) : inner]
    }),
  )
}

/** The arguments as the audit trail keeps them: no session handle, sensitive values hashed. */
function auditArguments(
  tool: GatewayTool,
  args: Record<string, unknown>,
  trace: string | undefined,
): JsonObject {
  const kept: JsonObject = {}
  for (const [name, value] of Object.entries(args)) {
    if (name === 'session') continue
    kept[name] =
      tool.sensitive?.includes(name) && typeof value === 'string' ? digest(value) : (value as Json)
  }
  if (trace !== undefined) kept._trace = trace.slice(0, 200)
  // Arguments are recorded before they are validated: an oversized one is summarised, not stored.
  if (JSON.stringify(kept).length > MAX_AUDITED_ARGUMENTS) {
    return { _truncated: true, keys: Object.keys(kept).slice(0, 50) }
  }
  return kept
}
