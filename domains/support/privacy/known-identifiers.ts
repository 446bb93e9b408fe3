import type { Queryable } from '../../../src/store/database.ts'
import {
  type KnownIdentifiers,
  nameCandidates,
  nameKey,
  orderCandidates,
} from './scrub-personal-data.ts'

/**
 * The customers' names and order numbers the database holds that occur in these texts. It asks
 * for the texts' own word runs and numbers (indexed lookups) rather than reading every customer.
 */
export async function knownIdentifiers(
  db: Queryable,
  texts: readonly string[],
): Promise<KnownIdentifiers> {
  const names = new Set(texts.flatMap(nameCandidates))
  const orders = new Set(texts.flatMap(orderCandidates))
  const byName =
    names.size === 0
      ? { rows: [] }
      : await db.query<{ name: string }>(
          `SELECT DISTINCT name FROM customers
           WHERE ${nameKeySql('name')} = ANY(ARRAY(SELECT lower(c) FROM unnest($1::text[]) c))`,
          [[...names]],
        )
  const byNumber =
    orders.size === 0
      ? { rows: [] }
      : await db.query<{ public_id: string }>(
          'SELECT public_id FROM orders WHERE public_id = ANY($1::text[])',
          [[...orders]],
        )
  return {
    // A one-word name is not a person's name to take out of other people's cases.
    names: new Set(byName.rows.map((r) => nameKey(r.name)).filter((key) => key.includes(' '))),
    orders: new Set(byNumber.rows.map((r) => r.public_id)),
  }
}

/**
 * A name's key in SQL: the expression of the index in migration 005_customer_name_key.sql. The
 * candidates arrive trimmed with single spaces, so `lower` alone gives their key.
 */
function nameKeySql(column: string): string {
  return `regexp_replace(lower(btrim(${column})), '\\s+', ' ', 'g')`
}
