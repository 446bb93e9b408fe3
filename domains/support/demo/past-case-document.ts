import type { Queryable } from '../../../src/store/database.ts'
import { knownIdentifiers } from '../privacy/known-identifiers.ts'
import { scrubPersonalData } from '../privacy/scrub-personal-data.ts'

const RESOLUTION = '\n\nResolution: '

/** A resolved ticket as a document of the past-case library: what happened, then what fixed it. */
export function pastCaseBody(summary: string, resolution: string): string {
  return `${summary}${RESOLUTION}${resolution}`
}

/** The summary (the document's title) and resolution a past case's document was made of. */
export function pastCaseParts(
  title: string,
  body: string,
): { summary: string; resolution: string } {
  const prefix = `${title}${RESOLUTION}`
  return { summary: title, resolution: body.startsWith(prefix) ? body.slice(prefix.length) : body }
}

export interface ResolvedCase {
  summary: string
  resolution: string
  /** The ticket's customer, already in the database. */
  customerEmail: string
}

/**
 * The past-case documents of resolved tickets, with the people taken out: the library is the
 * company's knowledge, shown to other customers as precedent, and the text is what gets embedded.
 * The tickets themselves keep the customer's words.
 */
export async function pastCaseDocuments(
  tx: Queryable,
  cases: readonly ResolvedCase[],
): Promise<{ title: string; body: string }[]> {
  if (cases.length === 0) return []
  const { rows } = await tx.query<{ email: string; name: string }>(
    'SELECT email, name FROM customers WHERE email = ANY($1::text[])',
    [[...new Set(cases.map((c) => c.customerEmail))]],
  )
  const names = new Map(rows.map((r) => [r.email, r.name]))
  const known = await knownIdentifiers(
    tx,
    cases.flatMap((c) => [c.summary, c.resolution]),
  )
  return cases.map((c) => {
    const own = names.get(c.customerEmail)
    const summary = scrubPersonalData(c.summary, known, own)
    return {
      title: summary,
      body: pastCaseBody(summary, scrubPersonalData(c.resolution, known, own)),
    }
  })
}
