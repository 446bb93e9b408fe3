import type {
  CsvImport,
  CsvImportResult,
  CsvRecord,
  RowProblem,
} from '../../src/embedding/ingest/csv-import-contract.ts'
import type { Queryable } from '../../src/store/database.ts'
import { addDocuments, type FixtureDocument } from './documents.ts'

/**
 * `fte seed <file.csv>` for the fixture pack, the shape of `guides.csv`: `id, title, body`, and
 * optionally `topic`. Each row is a `guide` document (`G-<id>`), with its id and topic in the
 * metadata.
 */
export const guidesImport: CsvImport = {
  row: 'a room guide',
  requiredColumns: ['id', 'title', 'body'],
  optionalColumns: ['topic'],
  sources: ['guide'],
  importRecords,
}

async function importRecords(
  tx: Queryable,
  records: readonly CsvRecord[],
): Promise<CsvImportResult> {
  const problems: RowProblem[] = []
  const firstLine = new Map<string, number>()
  const valid: Array<FixtureDocument & { line: number }> = []
  for (const record of records) {
    const checked = checkRow(record)
    const earlier = typeof checked === 'string' ? undefined : firstLine.get(checked.externalId)
    if (typeof checked === 'string') problems.push({ line: record.line, reason: checked })
    else if (earlier !== undefined)
      problems.push({
        line: record.line,
        reason: `guide ${checked.externalId} is already on line ${earlier}`,
      })
    else {
      firstLine.set(checked.externalId, record.line)
      valid.push(checked)
    }
  }

  // Guides the library already has: the same row again is fine, a different one is a conflict.
  const { rows: held } = await tx.query<{ external_id: string; title: string; body: string }>(
    `SELECT external_id, title, body FROM documents
     WHERE source = 'guide' AND external_id = ANY($1::text[])`,
    [valid.map((g) => g.externalId)],
  )
  const byId = new Map(held.map((row) => [row.external_id, row]))
  const fresh: FixtureDocument[] = []
  let unchanged = 0
  for (const guide of valid) {
    const row = byId.get(guide.externalId)
    if (row === undefined) fresh.push(guide)
    else if (row.title === guide.title && row.body === guide.body) unchanged++
    else
      problems.push({
        line: guide.line,
        reason: `guide ${guide.externalId} already exists with a different text; give the row a new id or leave it out`,
      })
  }
  return { inserted: { documents: await addDocuments(tx, fresh) }, unchanged, problems }
}

/** The row as a guide document, or the reason it cannot be imported. */
function checkRow({ line, fields }: CsvRecord): (FixtureDocument & { line: number }) | string {
  const id = (fields.id ?? '').trim()
  const title = (fields.title ?? '').trim()
  const body = (fields.body ?? '').trim()
  const topic = (fields.topic ?? '').trim().toLowerCase()
  if (!/^(G-)?[0-9]{1,9}$/i.test(id))
    return `id "${id}" is neither a number (12) nor a guide id (G-12)`
  if (title === '') return 'title is empty'
  if (body === '') return 'body is empty'
  if (topic !== '' && !/^[a-z][a-z0-9_]{0,62}$/.test(topic)) {
    return `topic "${topic}" must be a short label of letters, digits and _`
  }
  const externalId = `G-${Number(id.replace(/^G-/i, ''))}`
  return {
    line,
    source: 'guide',
    externalId,
    title,
    body,
    metadata: topic === '' ? { guide_id: externalId } : { guide_id: externalId, topic },
  }
}
