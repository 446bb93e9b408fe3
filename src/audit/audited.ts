import { randomUUID } from 'node:crypto'
import { errorMessage, FteError } from '../lib/errors.ts'
import type { Json, JsonObject } from '../lib/json.ts'
import type { TraceContext } from '../protocol/trace-context.ts'
import { SQLSTATE, sqlState } from '../store/sql-error.ts'

export type InvocationStatus = 'ok' | 'error' | 'timeout'

/** A skill or tool call: what was called, by whom, with what. */
export interface CapabilityCall {
  /** 'skill:<name>', 'mcp:<tool>', ... */
  capability: string
  actor: string
  arguments: JsonObject
  conversationId?: string | null | undefined
  /** The trace the call ran in and the caller's span it came from, when the caller sent them. */
  trace?: Pick<TraceContext, 'traceId' | 'parentId'> | undefined
}

export interface InvocationRecord extends CapabilityCall {
  id?: string | undefined
  status: InvocationStatus
  result: Json
  latencyMs: number
  costUsd?: number | string | undefined
}

/** Records one invocation, resolving with its id once the row is committed. */
export type InvocationRecorder = (record: InvocationRecord) => Promise<string>

/** How a call ended: a status and what its row keeps, or the error it failed with. */
export type Ending = { status: InvocationStatus; result: Json } | { error: unknown }

/** Characters of a failure's message an invocation row keeps. */
const MAX_MESSAGE = 300

/** A call under way: the id its row will have, and its row for a result, timed now. */
export interface AuditedCall<T> {
  readonly invocationId: string
  row(result: T): InvocationRecord
}

export interface AuditedOptions<T> {
  /** What the row keeps of the result (sizes, a digest), and which status it earns (`ok` unless said). */
  recordedResult: (result: T) => Json
  statusOf?: ((result: T) => InvocationStatus) | undefined
  /** Monotonic milliseconds; injectable for tests. */
  now?: (() => number) | undefined
  costUsd?: number | string | undefined
  /**
   * The work writes its own row (`row(result)`, in its transaction, so the row commits with its
   * business writes or not at all); `recorder` then writes only a failure's.
   */
  writesItsRow?: boolean | undefined
}

/**
 * Runs `work` timed, and records its invocation with `recorder`: the result as `recordedResult`
 * keeps it, or, when it throws, `error` or `timeout` with the error's code and message (see
 * {@link recordOutcome}). A failure is rethrown after its row is written; a failure to write that
 * row is swallowed, since the database may be what failed and the original error is the one
 * worth reporting.
 */
export async function audited<T>(
  recorder: InvocationRecorder,
  call: CapabilityCall,
  work: (underway: AuditedCall<T>) => Promise<T>,
  options: AuditedOptions<T>,
): Promise<T> {
  const now = options.now ?? (() => performance.now())
  const started = now()
  const id = randomUUID()
  const row = (ending: Ending) =>
    invocationRow(call, ending, { id, latencyMs: now() - started, costUsd: options.costUsd })
  const returned = (result: T) =>
    row({ status: options.statusOf?.(result) ?? 'ok', result: options.recordedResult(result) })
  try {
    const result = await work({ invocationId: id, row: returned })
    if (options.writesItsRow !== true) await recorder(returned(result))
    return result
  } catch (error) {
    await recorder(row({ error })).catch(() => {})
    throw error
  }
}

/**
 * Records a call whose ending is already known (refused before it ran, or seen from the other
 * side of the wire), the same way {@link audited} records one: a failure as `timeout` when a time
 * limit ended it, else `error`, with `{ error: code, message }`.
 */
export function recordOutcome(
  recorder: InvocationRecorder,
  call: CapabilityCall,
  ending: Ending & { latencyMs: number },
): Promise<string> {
  return recorder(invocationRow(call, ending, { latencyMs: ending.latencyMs }))
}

function invocationRow(
  call: CapabilityCall,
  ending: Ending,
  extra: { id?: string; latencyMs: number; costUsd?: number | string | undefined },
): InvocationRecord {
  const { status, result } = 'error' in ending ? failure(ending.error) : ending
  return {
    ...call,
    id: extra.id,
    status,
    result,
    latencyMs: extra.latencyMs,
    costUsd: extra.costUsd,
  }
}

function failure(error: unknown): { status: InvocationStatus; result: Json } {
  return {
    status: isTimeout(error) ? 'timeout' : 'error',
    result: { error: errorCode(error), message: errorMessage(error).slice(0, MAX_MESSAGE) },
  }
}

function isTimeout(error: unknown): boolean {
  return sqlState(error) === SQLSTATE.queryCanceled || errorCode(error) === 'timeout'
}

/** Whose code an error carries: ours, else the database's SQLSTATE, else `error`. */
function errorCode(error: unknown): string {
  if (error instanceof FteError) return error.code
  return sqlState(error) ?? 'error'
}
