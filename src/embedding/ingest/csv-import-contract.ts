import type { Queryable } from '../../store/database.ts'

/** One data row of a CSV file: its line number in the file and its fields by column name. */
export interface CsvRecord {
  line: number
  fields: Readonly<Record<string, string>>
}

/** A row that cannot be imported, and why, in words for the person who wrote the file. */
export interface RowProblem {
  line: number
  reason: string
}

export interface CsvImportResult {
  /** Rows inserted per table. */
  inserted: Record<string, number>
  /** Rows already in the database exactly as the file has them: nothing to do. */
  unchanged: number
  /** Rows refused: invalid, repeated in the file, or contradicting what the database holds. */
  problems: RowProblem[]
}

/**
 * A pack's CSV import: the pack knows its columns and tables; the core reads the file, runs the
 * import in a transaction, embeds the documents it added, reports progress and audits the run.
 */
export interface CsvImport {
  /** What one row is, for help and messages: "a resolved support ticket". */
  row: string
  /** A file to try it with, relative to the project (its demo data), for `fte seed --help`. */
  sample?: string
  requiredColumns: readonly string[]
  optionalColumns: readonly string[]
  /** The document sources the import adds to; their new documents are embedded afterwards. */
  sources: readonly string[]
  /**
   * Checks every record, then writes the good ones inside `tx`. A row already present exactly as
   * given counts as unchanged, so importing the same file twice adds nothing.
   */
  importRecords(tx: Queryable, records: readonly CsvRecord[]): Promise<CsvImportResult>
}
