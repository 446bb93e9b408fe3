import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { EvalReport } from './eval-report.ts'
import { renderHtmlReport } from './report-html.ts'

/** Where `fte eval` writes its report: JSON, HTML, both or neither. */
export interface ReportFiles {
  json?: string
  html?: string
}

/** Writes the report's files, creating their folders. */
export async function writeReports(report: EvalReport, files: ReportFiles): Promise<void> {
  const writes: Array<[string, string]> = []
  if (files.json !== undefined) writes.push([files.json, `${JSON.stringify(report, null, 2)}\n`])
  if (files.html !== undefined) writes.push([files.html, renderHtmlReport(report)])
  for (const [path, text] of writes) {
    await mkdir(dirname(path), { recursive: true })
    await writeFile(path, text)
  }
}
