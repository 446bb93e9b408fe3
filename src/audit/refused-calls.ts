import type { Queryable } from '../store/database.ts'
import { storableText } from './storable.ts'

/** A call turned away before it was accepted: who, why, and which tool. */
export interface Refusal {
  subject: string
  /** The error code: `insufficient_scope`, `too_many_calls`, `rate_limited`, ... */
  reason: string
  capability: string
}

/**
 * Counts one refusal in its (identity, reason, minute) row. The audit log does not grow here:
 * {@link closeRefusalMinutes} appends one row per closed minute.
 */
export async function countRefusal(q: Queryable, refusal: Refusal): Promise<void> {
  await q.query(
    `INSERT INTO refused_calls AS r (subject, reason, minute, calls, capabilities)
     VALUES ($1, $2, date_trunc('minute', clock_timestamp()), 1, jsonb_build_object($3::text, 1))
     ON CONFLICT (subject, reason, minute) DO UPDATE
       SET calls = r.calls + 1,
           capabilities = r.capabilities
             || jsonb_build_object($3::text, coalesce((r.capabilities ->> $3)::int, 0) + 1)`,
    [storableText(refusal.subject), refusal.reason, refusal.capability],
  )
}

/**
 * Turns every minute that closed at least `graceSeconds` ago into one `calls_refused` audit row
 * (its count and calls per tool) and removes its counting row, in one statement: replicas closing
 * at once append each minute once. The grace lets a count begun at the minute's last instant
 * commit first. Returns how many audit rows it appended.
 */
export async function closeRefusalMinutes(q: Queryable, graceSeconds = 5): Promise<number> {
  const { rowCount } = await q.query(
    `WITH closed AS (
       DELETE FROM refused_calls
       WHERE minute < date_trunc('minute', clock_timestamp() - make_interval(secs => $1))
       RETURNING subject, reason, minute, calls, capabilities
     )
     INSERT INTO audit_log (actor, action, target, payload)
     SELECT 'gateway:' || subject, 'calls_refused', reason,
            jsonb_build_object('minute', minute, 'calls', calls, 'capabilities', capabilities)
     FROM closed ORDER BY minute, subject, reason`,
    [graceSeconds],
  )
  return rowCount
}
