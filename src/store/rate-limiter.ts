import type { Queryable } from '../store/database.ts'

export interface RateLimit {
  /** Requests allowed per minute, sustained. */
  perMinute: number
  /** Requests allowed at once after a quiet spell. */
  burst: number
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number }

/**
 * A per-key request budget kept in Postgres (the generic cell rate algorithm: one row per key, one
 * statement per request), so every replica on the database shares it.
 */
export function rateLimiter(db: Queryable, limit: RateLimit) {
  const intervalMs = 60_000 / limit.perMinute
  const toleranceMs = intervalMs * Math.max(0, limit.burst - 1)
  return async (key: string): Promise<RateDecision> => {
    const { rows } = await db.query<{ allowed: boolean; wait_ms: number }>(
      `WITH now AS (SELECT clock_timestamp() AS t),
       upsert AS (
         INSERT INTO rate_limits AS r (key, tat)
         SELECT $1, t + make_interval(secs => $2 / 1000.0) FROM now
         ON CONFLICT (key) DO UPDATE
           SET tat = greatest(r.tat, (SELECT t FROM now)) + make_interval(secs => $2 / 1000.0)
           WHERE greatest(r.tat, (SELECT t FROM now)) - (SELECT t FROM now)
                 <= make_interval(secs => $3 / 1000.0)
         RETURNING tat
       )
       SELECT EXISTS (SELECT 1 FROM upsert) AS allowed,
              coalesce((SELECT extract(epoch FROM r.tat - n.t) * 1000 - $3
                        FROM rate_limits r, now n WHERE r.key = $1), 0)::float8 AS wait_ms`,
      [key, intervalMs, toleranceMs],
    )
    const row = rows[0]
    if (row?.allowed !== false) return { allowed: true }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(row.wait_ms / 1000)) }
  }
}
