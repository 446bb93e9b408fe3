import type { JsonObject } from '../lib/json.ts'
import type { Queryable } from '../store/database.ts'

/** A person as a page shows them. */
export interface PersonName {
  sub: string
  name: string
  email: string | null
}

/**
 * The people the Worker has met, by their verified subject, and what it keeps for them between
 * conversations: their saved state and their notes.
 */
export const people = {
  /** Records a verified identity: created on first sight, `last_seen_at` refreshed after. */
  async seen(
    q: Queryable,
    person: { sub: string; email?: string | undefined; name?: string | undefined },
  ): Promise<void> {
    await q.query(
      `INSERT INTO users (id, email, display_name) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET last_seen_at = now(),
         email = coalesce(EXCLUDED.email, users.email),
         display_name = coalesce(EXCLUDED.display_name, users.display_name)`,
      [person.sub, person.email ?? null, person.name ?? null],
    )
  },

  /** The name a person signed in with last, when any did. */
  async displayName(q: Queryable, sub: string): Promise<string | undefined> {
    const { rows } = await q.query<{ display_name: string | null }>(
      'SELECT display_name FROM users WHERE id = $1',
      [sub],
    )
    return rows[0]?.display_name ?? undefined
  },

  /** Names to show for subjects (the name, else the email, else the subject itself). */
  async names(q: Queryable, subs: readonly string[]): Promise<Map<string, PersonName>> {
    const wanted = [...new Set(subs)]
    const found = new Map<string, PersonName>()
    if (wanted.length === 0) return found
    const { rows } = await q.query<{
      id: string
      email: string | null
      display_name: string | null
    }>('SELECT id, email, display_name FROM users WHERE id = ANY($1::text[])', [wanted])
    for (const row of rows) {
      found.set(row.id, {
        sub: row.id,
        name: row.display_name ?? row.email ?? row.id,
        email: row.email,
      })
    }
    for (const sub of wanted) if (!found.has(sub)) found.set(sub, { sub, name: sub, email: null })
    return found
  },

  /** What the system knows of a person; undefined before their first session. */
  async profile(
    q: Queryable,
    sub: string,
  ): Promise<{ email: string | null; firstSeen: Date } | undefined> {
    const { rows } = await q.query<{ email: string | null; created_at: Date }>(
      'SELECT email, created_at FROM users WHERE id = $1',
      [sub],
    )
    const row = rows[0]
    return row === undefined ? undefined : { email: row.email, firstSeen: row.created_at }
  },

  /** The person's saved state; `{}` when nothing was saved yet. */
  async state(q: Queryable, sub: string): Promise<JsonObject> {
    const { rows } = await q.query<{ state: JsonObject }>(
      'SELECT state FROM user_state WHERE user_id = $1',
      [sub],
    )
    return rows[0]?.state ?? {}
  },

  /** Merges `patch` into the saved state (top-level keys; a `null` value removes a key). */
  async mergeState(q: Queryable, sub: string, patch: JsonObject): Promise<JsonObject> {
    const { rows } = await q.query<{ state: JsonObject }>(
      `INSERT INTO user_state (user_id, state) VALUES ($1, jsonb_strip_nulls($2::jsonb))
       ON CONFLICT (user_id) DO UPDATE
         SET state = jsonb_strip_nulls(user_state.state || $2::jsonb), updated_at = now()
       RETURNING state`,
      [sub, JSON.stringify(patch)],
    )
    return rows[0]?.state ?? {}
  },

  /** Saves a note for the person, in a conversation when there is one; its id. */
  async addNote(
    q: Queryable,
    note: { sub: string; conversationId: string | null; text: string },
  ): Promise<string> {
    const { rows } = await q.query<{ id: string }>(
      'INSERT INTO notes (user_id, conversation_id, note_text) VALUES ($1, $2, $3) RETURNING id',
      [note.sub, note.conversationId, note.text],
    )
    return rows[0]?.id ?? ''
  },
}
