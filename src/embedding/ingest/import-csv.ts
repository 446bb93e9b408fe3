import { basename } from 'node:path'
import { writeAudit } from '../../audit/audit-writer.ts'
import { errorMessage, InvalidInputError, SystemError } from '../../lib/errors.ts'
import { plural } from '../../lib/words.ts'
import type { Database } from '../../store/database.ts'
import { assertCorpusSpace } from '../corpus-space.ts'
import { embedPendingDocuments, type IndexProgress } from '../document-indexer.ts'
import type { Embedder } from '../embedder.ts'
import type { CsvImport, RowProblem } from './csv-import-contract.ts'
import { readCsvFile } from './read-csv.ts'

export interface CsvImportOptions {
  /** Import the good rows and report the bad ones, instead of refusing the whole file. */
  skipBadRows?: boolean
  /** Who ran the seed, for the audit row: 'operator:<login>', 'system', ... */
  actor: string
  onImported?: (result: CsvImported) => void
  onEmbedProgress?: (progress: IndexProgress) => void
}

export interface CsvImported {
  file: string
  /** Data rows in the file (the header and blank lines not counted). */
  rows: number
  inserted: Record<string, number>
  unchanged: number
  /** Bad rows left out (only with `skipBadRows`; otherwise they refuse the file). */
  skipped: RowProblem[]
  ignoredColumns: string[]
}

export interface CsvImportReport extends CsvImported {
  embedded: { documents: number; chunks: number; model: string }
}

/**
 * Bad rows refuse the whole file: nothing is written. Lists every bad row with its line. Invalid
 * input with a code of its own, so an entry point treats it as any invalid input (the CLI's
 * usage exit) while a script can still tell it apart.
 */
export class CsvRowsError extends InvalidInputError {
  override readonly code = 'seed_rows_invalid'
  readonly problems: readonly RowProblem[]

  constructor(file: string, rows: number, problems: readonly RowProblem[]) {
    const shown = problems.slice(0, 50)
    const more = problems.length - shown.length
    super(
      `${problems.length} of ${plural(rows, 'row')} in ${file} cannot be imported, so nothing was imported:\n` +
        shown.map((p) => `  line ${p.line}: ${p.reason}`).join('\n') +
        (more > 0 ? `\n  … and ${more} more` : '') +
        (problems.length === rows
          ? '\nNo row can be imported: is this the right file?'
          : `\nFix ${problems.length === 1 ? 'it' : 'them'} and run again, or add --skip-bad-rows ` +
            `to import the ${plural(rows - problems.length, 'good row')} and leave these out.`),
    )
    this.problems = problems
  }
}

/**
 * `fte seed <file.csv>`: imports a domain pack's CSV, then embeds the documents it added.
 *
 * The import is one transaction, with its `seed_run` audit row (the counts) inside it: all of it
 * lands or none of it. Any bad row refuses the file unless `skipBadRows` is set. Rows already in the
 * database are unchanged, so running the same file again adds nothing and writes no audit row.
 * Embedding follows in batches of their own; if the provider fails, the import stays and `fte embed`
 * (or the next start) embeds what is missing.
 */
export async function importCsv(
  db: Database,
  embedder: Embedder,
  importer: CsvImport,
  path: string,
  options: CsvImportOptions,
): Promise<CsvImportReport> {
  const file = basename(path)
  const csv = await readCsvFile(path, importer)
  // Before anything is written: rows imported now could not be embedded in this model.
  await assertCorpusSpace(db, embedder)
  const rows = csv.records.length + csv.problems.length

  const imported = await db.transaction(async (tx) => {
    // Two seeds at once take turns: the second finds the first one's rows and leaves them be.
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('fte:seed'))`)
    const result = await importer.importRecords(tx, csv.records)
    const problems = [...csv.problems, ...result.problems].sort((a, b) => a.line - b.line)
    if (problems.length > 0 && options.skipBadRows !== true) {
      throw new CsvRowsError(file, rows, problems)
    }
    const summary: CsvImported = {
      file,
      rows,
      inserted: result.inserted,
      unchanged: result.unchanged,
      skipped: problems,
      ignoredColumns: csv.ignoredColumns,
    }
    if (Object.values(result.inserted).some((n) => n > 0)) {
      await writeAudit(tx, {
        action: 'seed_run',
        actor: options.actor,
        target: `csv:${file}`,
        payload: {
          file,
          rows,
          skip_bad_rows: options.skipBadRows === true,
          embedding_model: embedder.model,
        },
        result: {
          inserted: result.inserted,
          unchanged: result.unchanged,
          skipped_rows: problems.map((p) => ({ line: p.line, reason: p.reason })),
        },
      })
    }
    return summary
  })
  options.onImported?.(imported)

  try {
    const done = await embedPendingDocuments(db, embedder, {
      sources: importer.sources,
      ...(options.onEmbedProgress === undefined ? {} : { onProgress: options.onEmbedProgress }),
    })
    return {
      ...imported,
      embedded: { documents: done.documents, chunks: done.chunks, model: embedder.model },
    }
  } catch (error) {
    throw new SystemError(
      'embedding_failed',
      `Imported ${file}, but embedding its documents with ${embedder.model} failed: ` +
        `${errorMessage(error)}\nThe rows are saved; run \`fte embed\` to embed what is missing.`,
      { cause: error },
    )
  }
}
