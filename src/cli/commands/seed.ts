import { userInfo } from 'node:os'
import { resolve } from 'node:path'
import { openMigratedDatabase } from '../../app/open-migrated-database.ts'
import { createEmbedder } from '../../embedding/create-embedder.ts'
import {
  type CsvImported,
  type CsvImportReport,
  importCsv,
} from '../../embedding/ingest/import-csv.ts'
import {
  type DocumentImportReport,
  importMarkdownDocuments,
} from '../../embedding/ingest/import-documents.ts'
import { InvalidInputError } from '../../lib/errors.ts'
import { plural } from '../../lib/words.ts'
import { type CliContext, loadRuntime } from '../cli-context.ts'
import { createProgress } from '../progress.ts'

export interface SeedCommandOptions {
  policies?: string
  skipBadRows?: boolean
  json?: boolean
}

/** `fte seed <file.csv>` and `fte seed --policies <dir>`. */
export async function seedCommand(
  context: CliContext,
  file: string | undefined,
  options: SeedCommandOptions,
): Promise<void> {
  if (file === undefined && options.policies === undefined) {
    throw new InvalidInputError(
      'name a CSV file to import (fte seed rows.csv; fte seed --help lists its columns) or a folder of markdown policies (fte seed --policies ./policies)',
    )
  }
  const runtime = loadRuntime(context)
  const importer = runtime.pack.csvImport
  if (file !== undefined && importer === undefined) {
    throw new InvalidInputError(
      `the ${runtime.pack.name} domain has no CSV import; only --policies <dir> works here`,
    )
  }
  const db = await openMigratedDatabase(runtime)
  const embedder = createEmbedder(runtime.config.embedding, runtime.pack.lexicon)
  const actor = operator()
  const out = (line: string) => context.stdout.write(`${line}\n`)
  const report: { csv?: CsvImportReport; policies?: DocumentImportReport } = {}
  try {
    if (file !== undefined && importer !== undefined) {
      const progress = createProgress(context.stderr, 'embedding', 'documents')
      try {
        report.csv = await importCsv(db, embedder, importer, resolve(context.cwd, file), {
          actor,
          skipBadRows: options.skipBadRows === true,
          onImported: (r) => {
            if (!options.json) describeImport(r, out)
          },
          onEmbedProgress: (p) => {
            if (p.total > 0) progress.update(p.documents, p.total)
          },
        })
      } finally {
        progress.stop()
      }
      if (!options.json) describeEmbedding(report.csv.embedded, out)
    }
    if (options.policies !== undefined) {
      const progress = createProgress(context.stderr, 'embedding', 'policies')
      try {
        report.policies = await importMarkdownDocuments(
          db,
          embedder,
          resolve(context.cwd, options.policies),
          {
            source: 'policy',
            actor,
            onProgress: (p) => {
              if (p.total > 0) progress.update(p.documents, p.total)
            },
          },
        )
      } finally {
        progress.stop()
      }
      if (!options.json) describePolicies(report.policies, out)
    }
  } finally {
    await db.close()
  }
  if (options.json) context.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
}

function describeImport(r: CsvImported, out: (line: string) => void) {
  out(`Read ${plural(r.rows, 'row')} from ${r.file}.`)
  if (r.ignoredColumns.length > 0) out(`Ignored the columns: ${r.ignoredColumns.join(', ')}.`)
  const added = Object.entries(r.inserted)
    .filter(([, n]) => n > 0)
    .map(([table, n]) => plural(n, table.replace(/s$/, ''), table))
  if (added.length > 0) out(`Added ${added.join(', ')}.`)
  if (r.unchanged > 0) {
    out(`${plural(r.unchanged, 'row was', 'rows were')} already in the database: left as they are.`)
  }
  if (added.length === 0 && r.skipped.length === 0) out('Nothing new to import.')
  if (r.skipped.length > 0) {
    out(`Left out ${plural(r.skipped.length, 'bad row')}:`)
    for (const p of r.skipped) out(`  line ${p.line}: ${p.reason}`)
  }
}

function describeEmbedding(e: CsvImportReport['embedded'], out: (line: string) => void) {
  if (e.documents > 0) {
    out(
      `Embedded ${plural(e.documents, 'document')} (${plural(e.chunks, 'chunk')}) with ${e.model}.`,
    )
  }
}

function describePolicies(r: DocumentImportReport, out: (line: string) => void) {
  out(
    `Read ${plural(r.files, 'markdown file')} from ${r.directory}: ` +
      `${r.added.length} added, ${r.updated.length} updated, ${r.unchanged} unchanged.`,
  )
  if (r.added.length > 0) out(`Added: ${r.added.join(', ')}.`)
  if (r.updated.length > 0) out(`Updated (old chunks replaced): ${r.updated.join(', ')}.`)
  if (r.embedded.chunks > 0) {
    out(`Embedded ${plural(r.embedded.chunks, 'chunk')} with ${r.embedded.model}.`)
  }
}

/** The audit actor for a command run by hand: the operator's login when the system knows it. */
export function operator(): string {
  try {
    return `operator:${userInfo().username}`
  } catch {
    return 'operator'
  }
}
