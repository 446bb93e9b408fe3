import { plural } from '../lib/words.ts'
import type { EvalReport, ScenarioSummary } from './eval-report.ts'
import {
  cost,
  decimal,
  duration,
  fraction,
  percent,
  scenarioName,
  tokens,
} from './report-format.ts'

/** The terminal's width the report keeps to. */
const WIDTH = 100

interface Column {
  head: string
  cell: (s: ScenarioSummary) => string
  /** Figures line up on the right. */
  right?: boolean
}

const COLUMNS: Column[] = [
  { head: 'SUITE', cell: (s) => s.suite },
  { head: 'SCENARIO', cell: (s) => s.scenario },
  { head: 'S/N', cell: (s) => `${s.successes}/${s.trials}`, right: true },
  { head: 'PASS^1', cell: (s) => percent(s.passK[0] ?? 0), right: true },
  { head: 'PASS^N', cell: (s) => percent(s.passK.at(-1) ?? 0), right: true },
]

/** What only a model spends: a reference replay has none of it. */
const MODEL_COLUMNS: Column[] = [
  { head: 'TURNS', cell: (s) => decimal(s.meanTurns), right: true },
  { head: 'TOKENS', cell: (s) => tokens(s.inputTokens + s.outputTokens), right: true },
  { head: 'COST', cell: (s) => cost(s.costUsd), right: true },
  { head: 'LATENCY', cell: (s) => duration(s.meanLatencyMs), right: true },
]

/**
 * The report as the terminal shows it at the end of `fte eval`: what ran, a row per scenario, the
 * run's pass^k for every k, the threshold, each failure of each failed trial, and, when the run was
 * cut short, how much of it finished. Plain text within 100 columns.
 */
export function renderTerminalReport(report: EvalReport): string {
  const lines = [heading(report), '']
  if (report.scenarios.length === 0) {
    lines.push('No trial finished.')
  } else {
    const columns = report.mode === 'model' ? [...COLUMNS, ...MODEL_COLUMNS] : COLUMNS
    lines.push(...table(columns, report.scenarios), '')
    const all = `All ${plural(report.scenarios.length, 'scenario')}:`
    const figures = report.passK.map((p, i) => `pass^${i + 1} ${percent(p)}`)
    lines.push(...wrap([all, ...figures], '  '))
  }
  if (report.threshold !== null) {
    const { k, min, met } = report.threshold
    const got = report.passK[k - 1]
    const measured = got === undefined ? `no scenario ran ${plural(k, 'trial')}` : fraction(got)
    lines.push(`Threshold pass^${k} >= ${min}: ${met ? 'met' : 'NOT met'} (${measured}).`)
  }
  const failed = report.trials.filter((t) => !t.passed && t.ended !== 'interrupted')
  if (failed.length > 0) {
    lines.push('', 'Failures:')
    for (const trial of failed) {
      const who = `${scenarioName(trial.suite, trial.scenario)} trial ${trial.trial}`
      const reasons = trial.failures.length > 0 ? trial.failures : [`ended: ${trial.ended}`]
      for (const reason of reasons) lines.push(...wrapText(`  ${who}: ${oneLine(reason)}`, WIDTH))
    }
  }
  if (report.interrupted) {
    lines.push(
      '',
      `Interrupted: ${report.finishedTrials} of ${plural(report.plannedTrials, 'trial')} finished.`,
    )
  }
  return `${lines.join('\n')}\n`
}

function heading(report: EvalReport): string {
  const where = `${report.database} database`
  const each = `${plural(report.trialsPerScenario, 'trial')} per scenario`
  if (report.mode === 'reference') return `Reference replay on the ${where}, ${each}.`
  const simulator = report.simulator === null ? '' : ` (simulator ${report.simulator})`
  return `Evaluation of ${report.model ?? 'the Worker'}${simulator} on the ${where}, ${each}.`
}

/** The rows under their heads; the scenario's id is cut short when the row would pass 100 columns. */
function table(columns: Column[], scenarios: ScenarioSummary[]): string[] {
  const rows = [columns.map((c) => c.head), ...scenarios.map((s) => columns.map((c) => c.cell(s)))]
  const widths = columns.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)))
  const over = widths.reduce((a, b) => a + b, 0) + 2 * (columns.length - 1) - WIDTH
  const idColumn = columns.findIndex((c) => c.head === 'SCENARIO')
  if (over > 0) widths[idColumn] = Math.max(12, (widths[idColumn] ?? 0) - over)
  return rows.map((row) =>
    row
      .map((cell, i) => {
        const width = widths[i] ?? 0
        const text = clip(cell, width)
        return columns[i]?.right === true ? text.padStart(width) : text.padEnd(width)
      })
      .join('  ')
      .trimEnd(),
  )
}

/** Items joined by `gap`, wrapped to lines of at most 100 columns, the next lines indented. */
function wrap(items: string[], gap: string): string[] {
  const lines: string[] = []
  let line = ''
  for (const item of items) {
    if (line !== '' && line.length + gap.length + item.length > WIDTH) {
      lines.push(line)
      line = `  ${item}`
    } else {
      line = line === '' ? item : `${line}${gap}${item}`
    }
  }
  return [...lines, line]
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim()

/** A failure over as many lines as it needs (at most six; the JSON has it whole), indented. */
function wrapText(text: string, width: number): string[] {
  const lines: string[] = []
  let rest = text
  while (rest.length > width && lines.length < 5) {
    const at = rest.lastIndexOf(' ', width)
    const cut = at > width / 2 ? at : width
    lines.push(rest.slice(0, cut).trimEnd())
    rest = `      ${rest.slice(cut).trimStart()}`
  }
  lines.push(clip(rest, width))
  return lines
}

const clip = (text: string, width: number) =>
  text.length > width ? `${text.slice(0, width - 1)}…` : text
