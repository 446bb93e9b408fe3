import type {
  CsvImport,
  CsvImportResult,
  CsvRecord,
  RowProblem,
} from '../../src/embedding/ingest/csv-import-contract.ts'
import type { Queryable } from '../../src/store/database.ts'
import { pastCaseDocuments } from './demo/past-case-document.ts'

/** Rows per INSERT statement: large files go in slices, all in the caller's transaction. */
const SLICE = 1000

const LIMITS = { summary: 1000, resolution: 10_000, email: 254, name: 200 }

interface TicketRow {
  line: number
  publicId: string
  email: string
  name: string
  summary: string
  resolution: string
  category: string | null
}

/**
 * `fte seed <file.csv>` for the support domain, the shape of `demo/resolved-tickets.csv`:
 * `id, customer_email, summary, resolution`, optionally `category` and `customer_name`.
 *
 * Each row finds or creates the customer by email (tier `free`, named after the email when the file
 * gives no name), inserts the resolved ticket (`T-<id>`; an id already written `T-1042` is kept),
 * and its `past_case` document with the ticket id in the metadata and the people taken out of its
 * text (emails, phone numbers, order numbers, customers' names: see past-case-document.ts).
 */
export const resolvedTicketsImport: CsvImport = {
  row: 'a resolved support ticket',
  sample: 'domains/support/demo/resolved-tickets.csv',
  requiredColumns: ['id', 'customer_email', 'summary', 'resolution'],
  optionalColumns: ['category', 'customer_name'],
  sources: ['past_case'],
  importRecords,
}

async function importRecords(
  tx: Queryable,
  records: readonly CsvRecord[],
): Promise<CsvImportResult> {
  const problems: RowProblem[] = []
  const firstLine = new Map<string, number>()
  const valid: TicketRow[] = []
  for (const record of records) {
    const checked = checkRow(record)
    if (typeof checked === 'string') {
      problems.push({ line: record.line, reason: checked })
      continue
    }
    const earlier = firstLine.get(checked.publicId)
    if (earlier !== undefined) {
      problems.push({
        line: record.line,
        reason: `ticket ${checked.publicId} is already on line ${earlier}`,
      })
      continue
    }
    firstLine.set(checked.publicId, record.line)
    valid.push(checked)
  }

  // Tickets the database already has: the same row again is fine, a different one is a conflict.
  const existing = new Map<string, { email: string; summary: string; resolution: string | null }>()
  for (let i = 0; i < valid.length; i += SLICE) {
    const { rows } = await tx.query<{
      public_id: string
      email: string
      summary: string
      resolution: string | null
    }>(
      `SELECT t.public_id, c.email, t.summary, t.resolution
       FROM tickets t JOIN customers c ON c.id = t.customer_id
       WHERE t.public_id = ANY($1::text[])`,
      [valid.slice(i, i + SLICE).map((r) => r.publicId)],
    )
    for (const row of rows) existing.set(row.public_id, row)
  }
  const fresh: TicketRow[] = []
  let unchanged = 0
  for (const row of valid) {
    const held = existing.get(row.publicId)
    if (held === undefined) {
      fresh.push(row)
    } else if (
      held.email === row.email &&
      held.summary === row.summary &&
      held.resolution === row.resolution
    ) {
      unchanged++
    } else {
      const differs = [
        held.email === row.email ? null : 'customer',
        held.summary === row.summary ? null : 'summary',
        held.resolution === row.resolution ? null : 'resolution',
      ].filter((d) => d !== null)
      problems.push({
        line: row.line,
        reason: `ticket ${row.publicId} already exists with a different ${differs.join(' and ')}; give the row a new id or leave it out`,
      })
    }
  }

  const inserted = { customers: 0, tickets: 0, documents: 0 }
  for (let i = 0; i < fresh.length; i += SLICE) {
    const slice = fresh.slice(i, i + SLICE)
    const customers = new Map(slice.map((r) => [r.email, { email: r.email, name: r.name }]))
    inserted.customers += (
      await tx.query(
        `INSERT INTO customers (email, name, tier)
         SELECT email, name, 'free' FROM jsonb_to_recordset($1::jsonb) AS r(email text, name text)
         ON CONFLICT (email) DO NOTHING`,
        [JSON.stringify([...customers.values()])],
      )
    ).rowCount
    inserted.tickets += (
      await tx.query(
        `INSERT INTO tickets (public_id, customer_id, category, summary, resolution, status,
                              resolved_at)
         SELECT r.public_id, c.id, r.category, r.summary, r.resolution, 'resolved', now()
         FROM jsonb_to_recordset($1::jsonb)
           AS r(public_id text, email text, category text, summary text, resolution text)
         JOIN customers c ON c.email = r.email`,
        [
          JSON.stringify(
            slice.map((r) => ({
              public_id: r.publicId,
              email: r.email,
              category: r.category,
              summary: r.summary,
              resolution: r.resolution,
            })),
          ),
        ],
      )
    ).rowCount
    const documents = await pastCaseDocuments(
      tx,
      slice.map((r) => ({ summary: r.summary, resolution: r.resolution, customerEmail: r.email })),
    )
    inserted.documents += (
      await tx.query(
        `INSERT INTO documents (source, external_id, title, body, metadata)
         SELECT 'past_case', r.ticket_id, r.title, r.body,
                jsonb_strip_nulls(jsonb_build_object('ticket_id', r.ticket_id, 'category', r.category))
         FROM jsonb_to_recordset($1::jsonb)
           AS r(ticket_id text, title text, body text, category text)
         ON CONFLICT (source, external_id) DO NOTHING`,
        [
          JSON.stringify(
            slice.map((r, j) => ({
              ticket_id: r.publicId,
              title: documents[j]?.title,
              body: documents[j]?.body,
              category: r.category,
            })),
          ),
        ],
      )
    ).rowCount
  }
  return { inserted, unchanged, problems }
}

/** The row, normalised, or the reason it cannot be imported. */
function checkRow({ line, fields }: CsvRecord): TicketRow | string {
  const id = (fields.id ?? '').trim()
  const email = (fields.customer_email ?? '').trim().toLowerCase()
  const summary = oneSpace(fields.summary ?? '')
  const resolution = (fields.resolution ?? '').trim()
  const category = (fields.category ?? '').trim().toLowerCase()
  const name = oneSpace(fields.customer_name ?? '')

  const numeric = /^[0-9]{1,12}$/.test(id)
  const prefixed = /^T-[0-9]{1,12}$/i.test(id)
  if (!numeric && !prefixed) {
    return id === ''
      ? 'id is empty'
      : `id "${clip(id)}" is neither a number (1042) nor a ticket id (T-1042)`
  }
  if (email === '') return 'customer_email is empty'
  if (email.length > LIMITS.email || !/^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/.test(email)) {
    return `customer_email "${clip(email)}" is not an email address`
  }
  if (summary === '') return 'summary is empty'
  if (summary.length > LIMITS.summary) {
    return `summary has ${summary.length} characters; at most ${LIMITS.summary}`
  }
  if (resolution === '') return 'resolution is empty (only resolved tickets can be imported)'
  if (resolution.length > LIMITS.resolution) {
    return `resolution has ${resolution.length} characters; at most ${LIMITS.resolution}`
  }
  if (category !== '' && !/^[a-z][a-z0-9_]{0,62}$/.test(category)) {
    return `category "${clip(category)}" must be a short label of letters, digits and _ (refund_delay)`
  }
  if (name.length > LIMITS.name) return `customer_name has more than ${LIMITS.name} characters`
  return {
    line,
    publicId: `T-${Number(numeric ? id : id.slice(2))}`,
    email,
    name: name === '' ? nameFromEmail(email) : name,
    summary,
    resolution,
    category: category === '' ? null : category,
  }
}

function oneSpace(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text
}

/** "sara.khan@example.com" → "Sara Khan": a readable placeholder until the customer says more. */
function nameFromEmail(email: string): string {
  const local = email.split('@')[0] ?? email
  const words = local.split(/[._+-]+/).filter((w) => w !== '')
  return words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ') || local
}
