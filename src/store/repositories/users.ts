import type { JsonObject } from '../../lib/json.ts'
import type { Queryable } from '../database.ts'

export interface User {
  /** The verified sign-in subject (`sub`). */
  id: string
  email: string | null
  displayName: string | null
  createdAt: Date
  lastSeenAt: Date
}

/** People known by their verified subject, and the small state remembered between sessions. */
export const users = {
  /** Records a verified identity: created on first sight, `last_seen_at` refreshed after. */
  async upsert(
    q: Queryable,
    user: { id: string; email?: string | null; displayName?: string | null },
  ): Promise<User> {
    const { rows } = await q.query<{
      id: string
      email: string | null
      display_name: string | null
      created_at: Date
      last_seen_at: Date
    }>(
      `INSERT INTO users (id, email, display_name) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET
         email = coalesce(EXCLUDED.email, users.email),
         display_name = coalesce(EXCLUDED.display_name, users.display_name),
         last_seen_at = now()
       RETURNING id, email, display_name, created_at, last_seen_at`,
      [user.id, user.email ?? null, user.displayName ?? null],
    )
    const row = rows[0]
    if (row === undefined) throw new Error('upserting a user returned no row')
    return {
      id: row.id,
      email: row.email,
      displayName: row.display_name,
      createdAt: row.created_at,
      lastSeenAt: row.last_seen_at,
    }
  },

  /** The user's saved state; `{}` when nothing was saved yet. */
  async state(q: Queryable, userId: string): Promise<JsonObject> {
    const { rows } = await q.query<{ state: JsonObject }>(
      'SELECT state FROM user_state WHERE user_id = $1',
      [userId],
    )
    return rows[0]?.state ?? {}
  },

  /** Merges `patch` into the saved state (top-level keys; `null` values remove a key). */
  async mergeState(q: Queryable, userId: string, patch: JsonObject): Promise<JsonObject> {
    const { rows } = await q.query<{ state: JsonObject }>(
      `WITH patch AS (
         SELECT $2::jsonb AS doc,
                ARRAY(SELECT key FROM jsonb_each($2::jsonb) WHERE jsonb_typeof(value) = 'null') AS removed
       )
       INSERT INTO user_state (user_id, state)
       SELECT $1, doc - removed FROM patch
       ON CONFLICT (user_id) DO UPDATE SET
         state = (user_state.state || EXCLUDED.state) - (SELECT removed FROM patch),
         updated_at = now()
       RETURNING state`,
      [userId, JSON.stringify(patch)],
    )
    return rows[0]?.state ?? {}
  },
}
