import { ConflictError } from '../lib/errors.ts'
import type { Queryable } from '../store/database.ts'

export interface Claim {
  item: string
  claimedBy: string
  claimedAt: Date
}

/** Who works on which inbox item ('<kind>:<key>'), so that two people do not work the same one. */
export const inboxClaims = {
  async all(q: Queryable): Promise<Map<string, Claim>> {
    const { rows } = await q.query<{ item: string; claimed_by: string; claimed_at: Date }>(
      'SELECT item, claimed_by, claimed_at FROM inbox_claims',
    )
    return new Map(
      rows.map((row) => [
        row.item,
        { item: row.item, claimedBy: row.claimed_by, claimedAt: row.claimed_at },
      ]),
    )
  },

  /** `sub` claims the item; a conflict when someone else has it. Claiming one's own is a no-op. */
  async claim(q: Queryable, item: string, sub: string): Promise<Claim> {
    const { rows } = await q.query<{ claimed_by: string; claimed_at: Date }>(
      `INSERT INTO inbox_claims (item, claimed_by) VALUES ($1, $2)
       ON CONFLICT (item) DO UPDATE SET claimed_by = inbox_claims.claimed_by
       RETURNING claimed_by, claimed_at`,
      [item, sub],
    )
    const row = rows[0] as { claimed_by: string; claimed_at: Date }
    if (row.claimed_by !== sub)
      throw new ConflictError(`${row.claimed_by} is working on this already.`)
    return { item, claimedBy: sub, claimedAt: row.claimed_at }
  },

  /** Releases the claim, whoever holds it (a lead may free another's); the claim it was. */
  async unclaim(q: Queryable, item: string): Promise<Claim | undefined> {
    const { rows } = await q.query<{ claimed_by: string; claimed_at: Date }>(
      'DELETE FROM inbox_claims WHERE item = $1 RETURNING claimed_by, claimed_at',
      [item],
    )
    const row = rows[0]
    return row === undefined
      ? undefined
      : { item, claimedBy: row.claimed_by, claimedAt: row.claimed_at }
  },

  /** Drops the claims of items that are done (decided, resolved, handed back). */
  async drop(q: Queryable, items: readonly string[]): Promise<void> {
    if (items.length > 0)
      await q.query('DELETE FROM inbox_claims WHERE item = ANY($1::text[])', [items])
  },
}
