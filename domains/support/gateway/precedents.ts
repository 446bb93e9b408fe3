import type { SearchHit } from '../../../src/embedding/search.ts'
import type { Queryable } from '../../../src/store/database.ts'
import { pastCaseParts } from '../demo/past-case-document.ts'
import { knownIdentifiers } from '../privacy/known-identifiers.ts'
import { scrubPersonalData } from '../privacy/scrub-personal-data.ts'

/** A type alias, not an interface, so it is a `JsonObject` to return as a tool's data. */
export type Precedent = {
  /** Only for a ticket the caller may open (their own; staff any): null for other people's. */
  ticket_id: string | null
  summary: string
  resolution: string | null
  distance: number
  weak_match: boolean
}

/** Which `customers` rows (alias, first parameter number) the caller may see: `ownRows`. */
export type CallerScope = (alias: string, first: number) => { sql: string; params: unknown[] }

/**
 * Similar-case hits as the caller may see them. A ticket the caller may open comes with its id and
 * its own words; anyone else's is an anonymous precedent: the library's text (scrubbed when it was
 * imported) scrubbed again now, against the customers and orders the database holds today.
 */
export async function precedents(
  tx: Queryable,
  hits: readonly SearchHit[],
  scope: CallerScope,
): Promise<Precedent[]> {
  if (hits.length === 0) return []
  const own = scope('c', 2)
  const { rows } = await tx.query<{
    id: string
    title: string
    body: string
    public_id: string | null
    summary: string | null
    resolution: string | null
    customer_name: string | null
    visible: boolean | null
  }>(
    `SELECT d.id, d.title, d.body, t.public_id, t.summary, t.resolution,
            c.name AS customer_name, ${own.sql} AS visible
     FROM documents d
     LEFT JOIN tickets t ON t.public_id = d.metadata->>'ticket_id'
     LEFT JOIN customers c ON c.id = t.customer_id
     WHERE d.id = ANY($1::uuid[])`,
    [hits.map((h) => h.id), ...own.params],
  )
  const byId = new Map(rows.map((r) => [r.id, r]))
  const known = await knownIdentifiers(
    tx,
    rows.filter((r) => r.visible !== true).flatMap((r) => [r.title, r.body]),
  )
  return hits.map((h) => {
    const row = byId.get(h.id)
    const measured = { distance: Math.round(h.distance * 1000) / 1000, weak_match: h.weak }
    if (row?.visible === true && row.public_id !== null) {
      return {
        ticket_id: row.public_id,
        summary: row.summary ?? row.title,
        resolution: row.resolution,
        ...measured,
      }
    }
    const parts = pastCaseParts(row?.title ?? '', row?.body ?? '')
    const scrub = (text: string) => scrubPersonalData(text, known, row?.customer_name ?? undefined)
    return {
      ticket_id: null,
      summary: scrub(parts.summary),
      resolution: scrub(parts.resolution),
      ...measured,
    }
  })
}
