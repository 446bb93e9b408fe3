import type { Queryable } from '../../src/store/database.ts'

/** How many rows `sql` returns: for assertions on what a test left in the database. */
export async function countRows(
  q: Queryable,
  sql: string,
  params: unknown[] = [],
): Promise<number> {
  const { rows } = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${sql}) x`, params)
  return rows[0]?.n ?? 0
}
