import type { AuditEntry } from './audit-writer.ts'
import { recordable } from './audit-writer.ts'
import { storableText } from './storable.ts'

/**
 * The audit rows of a statement that writes rows of its own first: a caller whose rows and audit
 * rows must land together, in order and in one round trip (a turn's messages, then the rows that
 * close the turn), puts `sql` after its own CTEs. The caller's CTE `seqs(n, seq)` holds positions
 * drawn from the log's sequence in order; the audit rows take those after the caller's first
 * `offset`. Bind `rows` to the `rows` placeholder; values pass through `recordable` like every
 * audit row's.
 */
export function auditRowsStatement(
  entries: readonly AuditEntry[],
  placeholders: {
    rows: string
    offset: string
    /**
     * Rows written only on a condition the statement decides: `values` binds a JSON array, one
     * entry per row, `true` (written when `condition` holds), `false` (when it does not) or `null`
     * (always). The positions of rows left out are drawn all the same (gaps in the ids).
     */
    guards?: { values: string; condition: string }
  },
): { sql: string; rows: string } {
  const guards = placeholders.guards
  const where =
    guards === undefined
      ? ''
      : `WHERE (${guards.values}::jsonb -> (a.n - 1)) = 'null'::jsonb
            OR (${guards.values}::jsonb -> (a.n - 1))::boolean = (${guards.condition})`
  return {
    sql: `INSERT INTO audit_log
         (id, conversation_id, invocation_id, actor, action, target, payload, result, trace_id)
       SELECT seqs.seq, a.conversation_id, a.invocation_id, a.actor, a.action, a.target,
              a.payload, a.result, a.trace_id
       FROM jsonb_to_recordset(${placeholders.rows}::jsonb)
         AS a(n int, conversation_id uuid, invocation_id uuid, actor text, action text,
              target text, payload jsonb, result jsonb, trace_id text)
       JOIN seqs ON seqs.n = ${placeholders.offset}::int + a.n
       ${where}`,
    rows: JSON.stringify(
      entries.map((entry, index) => ({
        n: index + 1,
        conversation_id: entry.conversationId ?? null,
        invocation_id: entry.invocationId ?? null,
        actor: storableText(entry.actor),
        action: entry.action,
        target: entry.target == null ? null : storableText(entry.target),
        payload: recordable(entry.payload ?? {}),
        result: entry.result === undefined ? null : recordable(entry.result),
        trace_id: entry.traceId ?? null,
      })),
    ),
  }
}
