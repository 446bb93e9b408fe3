import { readFile } from 'node:fs/promises'
import { CsvError, parse } from 'csv-parse/sync'
import { errorMessage, FteError, InvalidInputError } from '../../lib/errors.ts'
import type { CsvRecord, RowProblem } from './csv-import-contract.ts'

export interface CsvFile {
  columns: string[]
  records: CsvRecord[]
  /** Rows that are not well-formed CSV rows (a wrong number of fields). */
  problems: RowProblem[]
  /** Columns the import does not know; they are ignored. */
  ignoredColumns: string[]
}

export interface CsvShape {
  requiredColumns: readonly string[]
  optionalColumns: readonly string[]
}

/** Largest file `fte seed` reads; the whole file is held in memory while it is checked. */
export const MAX_CSV_BYTES = 256 * 2 ** 20

/**
 * Reads a CSV file with a header row (UTF-8, a byte-order mark allowed, blank lines skipped) into
 * records carrying their line numbers. Header names are trimmed and lower-cased. A missing required
 * column, or text that is not CSV at all, refuses the whole file; a row with the wrong number of
 * fields is a row problem, reported with the others.
 */
export async function readCsvFile(path: string, shape: CsvShape): Promise<CsvFile> {
  let text: string
  try {
    const bytes = await readFile(path)
    if (bytes.length > MAX_CSV_BYTES) {
      throw new InvalidInputError(
        `${path} is ${Math.round(bytes.length / 2 ** 20)} MiB; fte seed reads files up to ${MAX_CSV_BYTES / 2 ** 20} MiB (split it)`,
      )
    }
    text = bytes.toString('utf8')
  } catch (error) {
    if (error instanceof FteError) throw error
    const code = (error as { code?: string }).code
    const why =
      code === 'ENOENT'
        ? `there is no file ${path}`
        : code === 'EISDIR'
          ? `${path} is a folder; name a .csv file (policy folders go to --policies)`
          : `cannot read ${path}: ${errorMessage(error)}`
    throw new InvalidInputError(why, { cause: error })
  }
  return parseCsv(text, shape, path)
}

export function parseCsv(text: string, shape: CsvShape, name = 'the file'): CsvFile {
  let rows: Array<{ record: string[]; info: { lines: number } }>
  try {
    rows = parse(text, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
    }) as unknown as typeof rows
  } catch (error) {
    const where = error instanceof CsvError && 'lines' in error ? ` (line ${error.lines})` : ''
    throw new InvalidInputError(`${name} is not valid CSV${where}: ${errorMessage(error)}`, {
      cause: error,
    })
  }
  const [header, ...data] = rows
  if (header === undefined) {
    throw new InvalidInputError(
      `${name} is empty; the first line must name the columns: ${shape.requiredColumns.join(',')}`,
    )
  }
  const columns = header.record.map((c) => c.trim().toLowerCase())
  const missing = shape.requiredColumns.filter((c) => !columns.includes(c))
  if (missing.length > 0) {
    throw new InvalidInputError(
      `${name} has no ${missing.join(', ')} column${missing.length > 1 ? 's' : ''}. ` +
        `The first line must name the columns: ${shape.requiredColumns.join(',')}` +
        (shape.optionalColumns.length > 0
          ? ` (optional: ${shape.optionalColumns.join(', ')})`
          : '') +
        `; it reads: ${columns.join(',')}`,
    )
  }
  const repeated = columns.filter((c, i) => columns.indexOf(c) !== i)
  if (repeated.length > 0) {
    throw new InvalidInputError(`${name} names the column ${repeated[0]} twice`)
  }
  const known = new Set([...shape.requiredColumns, ...shape.optionalColumns])
  const records: CsvRecord[] = []
  const problems: RowProblem[] = []
  for (const { record, info } of data) {
    // csv-parse counts lines up to the end of the record; a quoted field may span several.
    const line = info.lines - countNewlines(record)
    if (record.length !== columns.length) {
      problems.push({
        line,
        reason: `has ${record.length} field${record.length === 1 ? '' : 's'}, the header has ${columns.length} (a comma inside a value must be quoted)`,
      })
      continue
    }
    const fields: Record<string, string> = {}
    for (const [i, column] of columns.entries()) {
      if (known.has(column)) fields[column] = record[i] ?? ''
    }
    records.push({ line, fields })
  }
  return { columns, records, problems, ignoredColumns: columns.filter((c) => !known.has(c)) }
}

function countNewlines(fields: readonly string[]): number {
  let n = 0
  for (const field of fields) for (const ch of field) if (ch === '\n') n++
  return n
}
