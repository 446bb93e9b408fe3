import { randomUUID } from 'node:crypto'
import { errorMessage, FteError, InternalError } from '../lib/errors.ts'
import type { Json, JsonObject } from '../lib/json.ts'
import type { Database, Queryable } from '../store/database.ts'
import { SQLSTATE, sqlState } from '../store/sql-error.ts'
import type { AuditAction } from './audit-actions.ts'
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
}

export type InvocationStatus = 'ok' | 'error' | 'timeout'

/** A skill or tool call: what was called, by whom, with what. */
export interface CapabilityCall {
  /** 'skill:<name>', 'mcp:<tool>', ... */
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

const INSERT_AUDIT = `INSERT INTO audit_log
  (conversation_id, invocation_id, actor, action, target, payload, result)
  VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb)`

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
  }))
  if (rows.length === 1) {
    // One record, the common case: plain parameters plan and run in about half the time.
    const [row] = rows as [(typeof rows)[0]]
    const { rowCount } = await q.query(
      `WITH invocation AS (
         INSERT INTO capability_invocations
           (id, conversation_id, actor, capability, arguments, result, status, latency_ms, cost_usd)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8, $9)
         RETURNING id, conversation_id, actor, capability, arguments, status, latency_ms
       )
       INSERT INTO audit_log (conversation_id, invocation_id, actor, action, target, payload, result)
       SELECT conversation_id, id, actor, 'capability_invoked', capability,
              jsonb_build_object('arguments', arguments, 'latency_ms', latency_ms),
              jsonb_build_object('status', status)
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
      ],
    )
    if (rowCount !== 1) throw new InternalError('internal', 'recording an invocation wrote no row')
    return [row.id]
  }
  const { rowCount } = await q.query(
    `WITH input AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(
         ord int, id uuid, conversation_id uuid, actor text, capability text, arguments jsonb,
         result jsonb, status text, latency_ms int, cost_usd numeric)
     ), invocation AS (
       INSERT INTO capability_invocations
         (id, conversation_id, actor, capability, arguments, result, status, latency_ms, cost_usd)
       SELECT id, conversation_id, actor, capability, arguments, result, status, latency_ms, cost_usd
       FROM input ORDER BY ord
       RETURNING id
     )
     INSERT INTO audit_log (conversation_id, invocation_id, actor, action, target, payload, result)
     SELECT i.conversation_id, i.id, i.actor, 'capability_invoked', i.capability,
            jsonb_build_object('arguments', i.arguments, 'latency_ms', i.latency_ms),
            jsonb_build_object('status', i.status)
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

/** Records one invocation, resolving with its id once the row is committed. */
export type InvocationRecorder = (record: InvocationRecord) => Promise<string>

/**
 * Group commit for invocations that stand alone (a read's: no business write shares their
 * transaction). A record is written at once when nothing else is being written; records that arrive
 * while a batch is in flight go together in the next statement, so under load the database commits
 * once per batch instead of once per call, and nobody waits for a timer. Each `record` resolves only
 * after its row is committed. A failed batch is retried record by record, so a bad record fails
 * alone.
 */
export function invocationRecorder(db: Database, maxBatch = 200): InvocationRecorder {
  interface Waiting {
    record: InvocationRecord & { id: string }
    resolve(id: string): void
    reject(error: unknown): void
  }
  let waiting: Waiting[] = []
  let writing = false

  async function drain(): Promise<void> {
    writing = true
    try {
      while (waiting.length > 0) {
        const batch = waiting.slice(0, maxBatch)
        waiting = waiting.slice(batch.length)
        try {
          await recordInvocations(
            db,
            batch.map((w) => w.record),
          )
          for (const w of batch) w.resolve(w.record.id)
        } catch (error) {
          if (batch.length === 1) {
            batch[0]?.reject(error)
            continue
          }
          await Promise.all(
            batch.map((w) =>
              recordInvocations(db, [w.record]).then(() => w.resolve(w.record.id), w.reject),
            ),
          )
        }
      }
    } finally {
      writing = false
    }
  }

  return (record) =>
    new Promise<string>((resolve, reject) => {
      waiting.push({ record: { ...record, id: record.id ?? randomUUID() }, resolve, reject })
      if (!writing) void drain()
    })
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
 * `error` or `timeout` invocation, then the error is rethrown.
 */
export async function invokeAudited<T extends Json>(
  db: Database,
  call: CapabilityCall,
  work: (context: AuditedWork) => Promise<T>,
  options: InvokeOptions<T> = {},
): Promise<T> {
  const now = options.now ?? (() => performance.now())
  const started = now()
  const invocationId = randomUUID()
  const settings =
    options.statementTimeoutMs === undefined
      ? {}
      : { statementTimeoutMs: options.statementTimeoutMs }
  const recorded = options.recordedResult ?? ((result: T): Json => result)
  const invocation = (status: InvocationStatus, result: Json): InvocationRecord => ({
    ...call,
    id: invocationId,
    status,
    result,
    latencyMs: now() - started,
    costUsd: options.costUsd,
  })
  const reads = options.reads
  try {
    if (reads !== undefined) {
      const readOnly = (q: Queryable): AuditedWork => ({
        tx: q,
        invocationId,
        record: () =>
          Promise.reject(
            new InternalError('internal', 'a read-only call cannot record business events'),
          ),
      })
      const result = reads.transaction
        ? await reads.db.transaction((tx) => work(readOnly(tx)), { ...settings, readOnly: true })
        : await work(readOnly(reads.db))
      await reads.recorder(invocation('ok', recorded(result)))
      return result
    }
    return await db.transaction(async (tx) => {
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
      await recordInvocation(tx, invocation('ok', recorded(result)))
      return result
    }, settings)
  } catch (error) {
    const failed = invocation(isTimeout(error) ? 'timeout' : 'error', {
      error: errorCode(error),
      message: errorMessage(error),
    })
    try {
      await (reads?.recorder ?? ((record) => recordInvocation(db, record)))(failed)
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
  if (row === undefined) throw new InternalError('internal', 'an audit insert returned no row')
  return row.id
}
