import { randomUUID } from 'node:crypto'
import { errorMessage, FteError } from '../lib/errors.ts'
import type { Json, JsonObject } from '../lib/json.ts'
import type { Database, Queryable } from '../store/database.ts'
import { SQLSTATE, sqlState } from '../store/sql-error.ts'
import type { AuditAction } from './audit-actions.ts'

export interface AuditEntry {
  action: AuditAction
  /** Who acted: 'worker:support', 'gateway:<sub>', 'system', ... */
  actor: string
  conversationId?: string | null | undefined
  /** What was acted on: a table row, a skill, an order id. */
  target?: string | null | undefined
  payload?: JsonObject | undefined
  result?: Json | undefined
  invocationId?: string | null | undefined
}

export type InvocationStatus = 'ok' | 'error' | 'timeout'

/** A skill or tool call: what was called, by whom, with what. */
export interface CapabilityCall {
  /** 'skill:summarize-ticket', 'mcp:lookup_order', ... */
  capability: string
  actor: string
  arguments: JsonObject
  conversationId?: string | null | undefined
}

export interface InvocationRecord extends CapabilityCall {
  id?: string | undefined
  status: InvocationStatus
  result: Json
  latencyMs: number
  costUsd?: number | string | undefined
}

/** Appends one audit row. Run it on the transaction that holds the business write it describes. */
export async function writeAudit(q: Queryable, entry: AuditEntry): Promise<number> {
  const { rows } = await q.query<{ id: number }>(
    `INSERT INTO audit_log (conversation_id, invocation_id, actor, action, target, payload, result)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb)
     RETURNING id`,
    [
      entry.conversationId ?? null,
      entry.invocationId ?? null,
      entry.actor,
      entry.action,
      entry.target ?? null,
      JSON.stringify(entry.payload ?? {}),
      entry.result === undefined ? null : JSON.stringify(entry.result),
    ],
  )
  return rowId(rows[0])
}

/**
 * Records a capability invocation and its `capability_invoked` audit row in one statement, so the
 * two are atomic even outside a transaction. Returns the invocation id.
 */
export async function recordInvocation(q: Queryable, record: InvocationRecord): Promise<string> {
  const latencyMs = Math.max(0, Math.round(record.latencyMs))
  const { rows } = await q.query<{ id: string }>(
    `WITH invocation AS (
       INSERT INTO capability_invocations
         (id, conversation_id, actor, capability, arguments, result, status, latency_ms, cost_usd)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8, $9)
       RETURNING id, conversation_id, actor, capability
     )
     INSERT INTO audit_log (conversation_id, invocation_id, actor, action, target, payload, result)
     SELECT conversation_id, id, actor, 'capability_invoked', capability, $10::jsonb, $11::jsonb
     FROM invocation
     RETURNING invocation_id AS id`,
    [
      record.id ?? randomUUID(),
      record.conversationId ?? null,
      record.actor,
      record.capability,
      JSON.stringify(record.arguments),
      JSON.stringify(record.result),
      record.status,
      latencyMs,
      record.costUsd ?? null,
      JSON.stringify({ arguments: record.arguments, latency_ms: latencyMs }),
      JSON.stringify({ status: record.status }),
    ],
  )
  const id = rows[0]?.id
  if (id === undefined) throw new FteError('internal', 'recording an invocation returned no row')
  return id
}

export interface AuditedWork {
  tx: Queryable
  invocationId: string
  /** Records a business event (refund_issued, note_saved, ...) in the same transaction. */
  record(entry: Omit<AuditEntry, 'invocationId'>): Promise<number>
}

export interface InvokeOptions {
  /** Monotonic milliseconds; injectable for tests. */
  now?: () => number
  costUsd?: number | string
  /** Postgres cancels a statement of the call that runs longer (recorded as a timeout). */
  statementTimeoutMs?: number
}

/**
 * Runs `work` in a transaction and commits its business writes together with the invocation and
 * every audit row it recorded: all of them or none. When `work` fails, the transaction is rolled
 * back (no business row, no business event) and the failed attempt is recorded on its own as an
 * `error` or `timeout` invocation, then the error is rethrown.
 */
export async function invokeAudited<T extends Json>(
  db: Database,
  call: CapabilityCall,
  work: (context: AuditedWork) => Promise<T>,
  options: InvokeOptions = {},
): Promise<T> {
  const now = options.now ?? (() => performance.now())
  const started = now()
  const invocationId = randomUUID()
  try {
    return await db.transaction(
      async (tx) => {
        const result = await work({
          tx,
          invocationId,
          record: (entry) =>
            writeAudit(tx, {
              ...entry,
              conversationId: entry.conversationId ?? call.conversationId,
              invocationId,
            }),
        })
        await recordInvocation(tx, {
          ...call,
          id: invocationId,
          status: 'ok',
          result,
          latencyMs: now() - started,
          costUsd: options.costUsd,
        })
        return result
      },
      options.statementTimeoutMs === undefined
        ? {}
        : { statementTimeoutMs: options.statementTimeoutMs },
    )
  } catch (error) {
    try {
      await recordInvocation(db, {
        ...call,
        id: invocationId,
        status: isTimeout(error) ? 'timeout' : 'error',
        result: { error: errorCode(error), message: errorMessage(error) },
        latencyMs: now() - started,
      })
    } catch {
      // The database may be what failed; the original error is the one worth reporting.
    }
    throw error
  }
}

function isTimeout(error: unknown): boolean {
  return sqlState(error) === SQLSTATE.queryCanceled || errorCode(error) === 'timeout'
}

function errorCode(error: unknown): string {
  if (error instanceof FteError) return error.code
  return sqlState(error) ?? 'error'
}

function rowId(row: { id: number } | undefined): number {
  if (row === undefined) throw new FteError('internal', 'an audit insert returned no row')
  return row.id
}
