import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { html, raw } from 'hono/html'
import { packageRoot } from '../lib/package-root.ts'
import { plural } from '../lib/words.ts'
import type { EvalReport, ScenarioSummary, TranscriptLine, TrialResult } from './eval-report.ts'
import {
  cost,
  decimal,
  duration,
  fraction,
  percent,
  scenarioName,
  tokens,
} from './report-format.ts'

const pageDir = join(packageRoot(), 'src', 'eval', 'report-page')

const ROLES: Record<TranscriptLine['role'], string> = {
  user: 'User',
  worker: 'Worker',
  approval: 'Approval',
  staff: 'Staff',
  tool: 'Tool',
}

/**
 * The report as one HTML file that opens anywhere, offline: its style, Chart.js and the chart's
 * script inline, the report itself as a JSON block. Everything from the run (titles, transcripts,
 * failures) is escaped by hono's `html` template, which escapes every value it is not told is
 * markup; the JSON block escapes `<`, so no text can close its script. The page's content security
 * policy runs only its own two scripts and loads nothing.
 */
export function renderHtmlReport(report: EvalReport): string {
  // Chart.js's exports name its ES build; the UMD build, which needs no module loader, sits beside it.
  const chartJs = readFileSync(
    join(dirname(fileURLToPath(import.meta.resolve('chart.js'))), 'chart.umd.min.js'),
    'utf8',
  ).replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n')
  const chartScript = readFileSync(join(pageDir, 'report-chart.js'), 'utf8')
  const style = ['report.css', 'trials.css']
    .map((name) => readFileSync(join(pageDir, name), 'utf8'))
    .join('\n')
  const data = JSON.stringify(report).replaceAll('<', '\\u003c')
  const policy = [
    "default-src 'none'",
    `script-src ${[chartJs, chartScript].map(hashSource).join(' ')}`,
    "style-src 'unsafe-inline'",
  ].join('; ')
  const title = report.mode === 'reference' ? 'Reference replay' : `Evaluation of ${report.model}`
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<title>${title} · ${when(report.startedAt)}</title>
<style>${raw(style)}</style>
</head>
<body>
<main>
<header class="top">
  <div>
    <p class="eyebrow">digital-fte evaluation</p>
    <h1>${title}</h1>
    <p class="muted">${when(report.startedAt)} · took ${duration(elapsed(report))}</p>
  </div>
  ${verdict(report)}
</header>
${report.interrupted && html`<p class="banner" role="status">Interrupted: ${report.finishedTrials} of ${plural(report.plannedTrials, 'trial')} finished; the figures cover those only.</p>`}
${figures(report)}
<h2>The run</h2>
${meta(report)}
<h2>pass^k</h2>
<div class="panel">
  <div class="chart-box"><canvas id="pass-k-chart" role="img" aria-label="${chartLabel(report)}"></canvas></div>
</div>
<p class="note">pass^k is the chance that k attempts at a scenario all pass, from its s successes in n trials: C(s,k)/C(n,k). Faint lines are scenarios; the bold line is their mean.</p>
<h2>Scenarios</h2>
${scenarioTable(report.scenarios, report.mode)}
<h2>Trials</h2>
${trialGroups(report.trials)}
</main>
<script type="application/json" id="report-data">${raw(data)}</script>
<script>${raw(chartJs)}</script>
<script>${raw(chartScript)}</script>
</body>
</html>
`
  return String(page)
}

/** A script's CSP source: the hash of its exact text. */
const hashSource = (script: string) =>
  `'sha256-${createHash('sha256').update(script).digest('base64')}'`

function verdict(report: EvalReport) {
  if (report.threshold === null) return ''
  const { k, min, met } = report.threshold
  const got = report.passK[k - 1]
  return html`<p class="verdict ${met ? 'met' : 'missed'}">Threshold pass^${k} ≥ ${min}: ${met ? 'met' : 'not met'} (${got === undefined ? 'not measured' : fraction(got)})</p>`
}

function figures(report: EvalReport) {
  const costs = report.scenarios.map((s) => s.costUsd)
  const total = costs.some((c) => c === null)
    ? null
    : costs.reduce((a, b) => (a ?? 0) + (b ?? 0), 0)
  const allTokens = report.scenarios.reduce((n, s) => n + s.inputTokens + s.outputTokens, 0)
  const customerTokens = report.scenarios.reduce((n, s) => n + s.simulatorTokens, 0)
  const figure = (value: string, label: string) =>
    html`<div class="figure"><span class="value">${value}</span><span class="label">${label}</span></div>`
  const n = report.passK.length
  return html`<section class="figures">
  ${figure(percent(report.passK[0] ?? 0), 'pass^1, the mean pass rate')}
  ${n > 1 && figure(percent(report.passK[n - 1] ?? 0), `pass^${n}, all ${n} attempts pass`)}
  ${figure(String(report.scenarios.length), 'scenarios')}
  ${figure(String(report.finishedTrials), 'trials finished')}
  ${report.mode === 'model' && figure(tokens(allTokens), "the Worker's tokens")}
  ${customerTokens > 0 && figure(tokens(customerTokens), "the simulated customer's tokens")}
  ${report.mode === 'model' && figure(cost(total), 'cost')}
</section>`
}

function meta(report: EvalReport) {
  const row = (term: string, value: string) => html`<div><dt>${term}</dt><dd>${value}</dd></div>`
  return html`<dl class="meta panel">
  ${row('Mode', report.mode === 'reference' ? 'reference replay (no model)' : 'model')}
  ${row('Model', report.model ?? '–')}
  ${row('Simulator', report.simulator ?? '–')}
  ${row('Database', report.database)}
  ${row('Trials', `${report.trialsPerScenario} per scenario, ${report.concurrency} at once`)}
  ${row('When', `${when(report.startedAt)} to ${when(report.finishedAt)}`)}
</dl>`
}

function scenarioTable(scenarios: ScenarioSummary[], mode: EvalReport['mode']) {
  const model = mode === 'model'
  const number = (head: string) => html`<th class="number" scope="col">${head}</th>`
  const rows = scenarios.map((s) => {
    const cell = (value: string) => html`<td class="number">${value}</td>`
    return html`<tr>
  <td class="name"><a class="id" href="#${anchor(s)}">${scenarioName(s.suite, s.scenario)}</a><small>${s.title}</small></td>
  <td>${pill(s)}</td>
  ${cell(`${s.successes}/${s.trials}`)}${cell(percent(s.passK[0] ?? 0))}${cell(percent(s.passK.at(-1) ?? 0))}
  ${model && [cell(decimal(s.meanTurns)), cell(`${tokens(s.inputTokens)} / ${tokens(s.outputTokens)}`), cell(cost(s.costUsd)), cell(duration(s.meanLatencyMs))]}
</tr>`
  })
  return html`<div class="table-wrap"><table>
<thead><tr><th scope="col">Scenario</th><th scope="col">Result</th>${number('s/n')}${number('pass^1')}${number('pass^n')}${model && [number('Turns'), number('Tokens in / out'), number('Cost'), number('Latency')]}</tr></thead>
<tbody>${rows}</tbody>
</table></div>`
}

function pill(s: ScenarioSummary) {
  if (s.successes === s.trials) return html`<span class="pill pass">passed</span>`
  if (s.successes === 0) return html`<span class="pill fail">failed</span>`
  return html`<span class="pill flaky">flaky</span>`
}

/** The trials under their scenario, scenarios in the order the trials first name them. */
function trialGroups(trials: TrialResult[]) {
  const groups = Map.groupBy(trials, (t) => scenarioName(t.suite, t.scenario))
  return [...groups].map(([name, group]) => {
    const counted = group.filter((t) => t.ended !== 'interrupted')
    const passed = counted.filter((t) => t.passed).length
    const [first] = group
    return html`<section class="trial-group" id="${first && anchor(first)}">
<h3><span class="id">${name}</span> <span class="muted">${passed} of ${plural(counted.length, 'trial')} passed</span></h3>
${group.map(trialDetails)}
</section>`
  })
}

/** The id of a scenario's trials in the page, which its row in the table links to. */
const anchor = (s: { suite: string; scenario: string }) =>
  `trials-${scenarioName(s.suite, s.scenario)}`

function trialDetails(trial: TrialResult) {
  const counted = trial.ended !== 'interrupted'
  const result = !counted
    ? html`<span class="pill off">interrupted</span>`
    : trial.passed
      ? html`<span class="pill pass">passed</span>`
      : html`<span class="pill fail">failed</span>`
  const facts = [
    `ended: ${trial.ended.replace('_', ' ')}`,
    plural(trial.turns, 'turn'),
    duration(trial.latencyMs),
  ].join(' · ')
  return html`<details class="trial">
<summary>${result}<span>Trial ${trial.trial}</span><span class="facts">${facts}</span></summary>
<div class="trial-body">
${trial.failures.length > 0 && html`<ul class="failures">${trial.failures.map((f) => html`<li>${f}</li>`)}</ul>`}
<ol class="transcript">${trial.transcript.map(
    (line) =>
      html`<li class="${line.role}"><span class="role">${ROLES[line.role]}</span><span class="text">${line.text}</span></li>`,
  )}</ol>
</div>
</details>`
}

function chartLabel(report: EvalReport): string {
  const mean = report.passK.map((p, i) => `pass^${i + 1} ${percent(p)}`).join(', ')
  return `pass^k against k for ${plural(report.scenarios.length, 'scenario')}; their mean: ${mean}`
}

const elapsed = (report: EvalReport) => Date.parse(report.finishedAt) - Date.parse(report.startedAt)

/** `2026-12-05 08:04 UTC`: the same wherever the file is opened. */
const when = (iso: string) => `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`
