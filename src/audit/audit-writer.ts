import { randomUUID } from 'node:crypto'
import { InternalError } from '../lib/errors.ts'
import type { Json, JsonObject } from '../lib/json.ts'
import type { Database, Queryable } from '../store/database.ts'
import type { AuditAction } from './audit-actions.ts'
import {
  audited,
  type CapabilityCall,
  type InvocationRecord,
  type InvocationRecorder,
} from './audited.ts'
import { redactPersonalData } from './personal-data.ts'
import { storable, storableText } from './storable.ts'

export interface AuditEntry {
  action: AuditAction
  /** Who acted: 'worker:support', 'gateway:<sub>', 'system', ... */
  actor: string
  conversationId?: string | null | undefined
  /** What was acted on: a table row, a skill, a pack's record. */
  target?: string | null | undefined
  payload?: JsonObject | undefined
  result?: Json | undefined
  invocationId?: string | null | undefined
  /** The W3C trace id (32 hex) of the call or the Worker's turn it was written in. */
  traceId?: string | null | undefined
}

const INSERT_AUDIT = `INSERT INTO audit_log
  (conversation_id, invocation_id, actor, action, target, payload, result, trace_id)
  VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8)`

/** Appends one audit row. Run it on the transaction that holds the business write it describes. */
export async function writeAudit(q: Queryable, entry: AuditEntry): Promise<number> {
  const { rows } = await q.query<{ id: number }>(`${INSERT_AUDIT} RETURNING id`, auditValues(entry))
  return rowId(rows[0])
}

/**
 * A value as the audit trail stores it, whoever wrote it: emails, phone numbers and card numbers
 * digested wherever they appear (by value, not by key name), text Postgres refuses escaped, and
 * nesting capped. Every JSON column of audit_log and capability_invocations goes through it.
 */
export function recordable(value: unknown): Json {
  return storable(value, (text) => redactPersonalData(storableText(text)))
}

function forTheRecord(value: unknown): string {
  return JSON.stringify(recordable(value))
}

function auditValues(entry: AuditEntry): unknown[] {
  return [
    entry.conversationId ?? null,
    entry.invocationId ?? null,
    storableText(entry.actor),
    entry.action,
    entry.target == null ? null : storableText(entry.target),
    forTheRecord(entry.payload ?? {}),
    entry.result === undefined ? null : forTheRecord(entry.result),
    entry.traceId ?? null,
  ]
}

/**
 * Appends one audit row and draws the next position of the log's sequence with it, for a message
 * written later that must replay right after this row (the user's message after
 * `message_received`). Returns that position.
 */
export async function writeAuditThenPosition(q: Queryable, entry: AuditEntry): Promise<number> {
  const { rows } = await q.query<{ next: string }>(
    `${INSERT_AUDIT} RETURNING nextval('audit_log_id_seq') AS next`,
    auditValues(entry),
  )
  return Number(rows[0]?.next)
}

/**
 * Records a capability invocation and its `capability_invoked` audit row in one statement, so the
 * two are atomic even outside a transaction. Returns the invocation id.
 */
export async function recordInvocation(q: Queryable, record: InvocationRecord): Promise<string> {
  const [id] = await recordInvocations(q, [record])
  if (id === undefined)
    throw new InternalError('internal', 'recording an invocation returned no row')
  return id
}

/** Records each invocation at once on `q`: a transaction's, or a pool's for a call that stands alone. */
export function recorderOn(q: Queryable): InvocationRecorder {
  return (record) => recordInvocation(q, record)
}

/** Several invocations and their `capability_invoked` rows in one statement; their ids, in order. */
export async function recordInvocations(
  q: Queryable,
  records: readonly InvocationRecord[],
): Promise<string[]> {
  const rows = records.map((record, ord) => ({
    ord,
    id: record.id ?? randomUUID(),
    conversation_id: record.conversationId ?? null,
    actor: storableText(record.actor),
    capability: storableText(record.capability),
    arguments: record.arguments,
    result: record.result,
    status: record.status,
    latency_ms: Math.max(0, Math.round(record.latencyMs)),
    cost_usd: record.costUsd ?? null,
    trace_id: record.trace?.traceId ?? null,
    parent_span_id: record.trace?.parentId ?? null,
  }))
  if (rows.length === 1) {
    // One record, the common case: plain parameters plan and run in about half the time.
    const [row] = rows as [(typeof rows)[0]]
    const { rowCount } = await q.query(
      `WITH invocation AS (
         INSERT INTO capability_invocations
           (id, conversation_id, actor, capability, arguments, result, status, latency_ms, cost_usd,
            trace_id, parent_span_id)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8, $9, $10, $11)
         RETURNING id, conversation_id, actor, capability, arguments, status, latency_ms, trace_id
       )
       INSERT INTO audit_log
         (conversation_id, invocation_id, actor, action, target, payload, result, trace_id)
       SELECT conversation_id, id, actor, 'capability_invoked', capability,
              jsonb_build_object('arguments', arguments, 'latency_ms', latency_ms),
              jsonb_build_object('status', status), trace_id
       FROM invocation`,
      [
        row.id,
        row.conversation_id,
        row.actor,
        row.capability,
        forTheRecord(row.arguments),
        row.result === null ? null : forTheRecord(row.result),
        row.status,
        row.latency_ms,
        row.cost_usd,
        row.trace_id,
        row.parent_span_id,
      ],
    )
    if (rowCount !== 1) throw new InternalError('internal', 'recording an invocation wrote no row')
    return [row.id]
  }
  const { rowCount } = await q.query(
    `WITH input AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(
         ord int, id uuid, conversation_id uuid, actor text, capability text, arguments jsonb,
         result jsonb, status text, latency_ms int, cost_usd numeric, trace_id text,
         parent_span_id text)
     ), invocation AS (
       INSERT INTO capability_invocations
         (id, conversation_id, actor, capability, arguments, result, status, latency_ms, cost_usd,
          trace_id, parent_span_id)
       SELECT id, conversation_id, actor, capability, arguments, result, status, latency_ms,
              cost_usd, trace_id, parent_span_id
       FROM input ORDER BY ord
       RETURNING id
     )
     INSERT INTO audit_log
       (conversation_id, invocation_id, actor, action, target, payload, result, trace_id)
     SELECT i.conversation_id, i.id, i.actor, 'capability_invoked', i.capability,
            jsonb_build_object('arguments', i.arguments, 'latency_ms', i.latency_ms),
            jsonb_build_object('status', i.status), i.trace_id
     FROM input i JOIN invocation USING (id)
     ORDER BY i.ord`,
    [
      JSON.stringify(
        rows.map((row) => ({
          ...row,
          arguments: recordable(row.arguments),
          result: row.result === null ? null : recordable(row.result),
        })),
      ),
    ],
  )
  if (rowCount !== rows.length) {
    throw new InternalError('internal', `recorded ${rowCount} of ${rows.length} invocations`)
  }
  return rows.map((row) => row.id)
}

export interface AuditedWork {
  tx: Queryable
  invocationId: string
  /** Records a business event (note_saved, a pack's own, ...) in the same transaction. */
  record(entry: Omit<AuditEntry, 'invocationId'>): Promise<number>
}

export interface InvokeOptions<T extends Json = Json> {
  /** Monotonic milliseconds; injectable for tests. */
  now?: () => number
  costUsd?: number | string
  /** Postgres cancels a statement of the call that runs longer (recorded as a timeout). */
  statementTimeoutMs?: number
  /** What the invocation row keeps of the result (personal data hashed, say); the result itself. */
  recordedResult?: (result: T) => Json
  /**
   * Work that writes nothing: it runs on `db` (with `transaction`, in a transaction of its own;
   * otherwise statement by statement), and the invocation is recorded afterwards by `recorder`,
   * before `invokeAudited` returns. `record` refuses business events.
   */
  reads?: { db: Database; transaction: boolean; recorder: InvocationRecorder }
}

/**
 * Runs `work` in a transaction and commits its business writes together with the invocation and
 * every audit row it recorded: all of them or none. When `work` fails, the transaction is rolled
 * back (no business row, no business event) and the failed attempt is recorded on its own as an
 * `error` or `timeout` invocation, then the error is rethrown (see {@link audited}).
 */
export async function invokeAudited<T extends Json>(
  db: Database,
  call: CapabilityCall,
  work: (context: AuditedWork) => Promise<T>,
  options: InvokeOptions<T> = {},
): Promise<T> {
  const settings =
    options.statementTimeoutMs === undefined
      ? {}
      : { statementTimeoutMs: options.statementTimeoutMs }
  const recording = {
    now: options.now,
    costUsd: options.costUsd,
    recordedResult: options.recordedResult ?? ((result: T): Json => result),
  }
  const reads = options.reads
  if (reads !== undefined) {
    const readOnly = (q: Queryable, invocationId: string): AuditedWork => ({
      tx: q,
      invocationId,
      record: () =>
        Promise.reject(
          new InternalError('internal', 'a read-only call cannot record business events'),
        ),
    })
    return audited(
      reads.recorder,
      call,
      ({ invocationId }) =>
        reads.transaction
          ? reads.db.transaction((tx) => work(readOnly(tx, invocationId)), {
              ...settings,
              readOnly: true,
            })
          : work(readOnly(reads.db, invocationId)),
      recording,
    )
  }
  return audited(
    recorderOn(db),
    call,
    (underway) =>
      db.transaction(async (tx) => {
        const { invocationId } = underway
        const result = await work({
          tx,
          invocationId,
          record: (entry) =>
            writeAudit(tx, {
              ...entry,
              conversationId: entry.conversationId ?? call.conversationId,
              invocationId,
              traceId: call.trace?.traceId,
            }),
        })
        await recordInvocation(tx, underway.row(result))
        return result
      }, settings),
    { ...recording, writesItsRow: true },
  )
}

function rowId(row: { id: number } | undefined): number {
  if (row === undefined) throw new InternalError('internal', 'an audit insert returned no row')
  return row.id
}
