import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { runMeta, trial, trialsOf } from '../../test/support/eval-trials.ts'
import type { EvalReport } from './eval-report.ts'
import { renderHtmlReport } from './report-html.ts'
import { summarize } from './summarize.ts'

const HOSTILE = '</script><script>alert(1)</script>'

function hostileReport(): EvalReport {
  const trials = [
    ...trialsOf('late-parcel', 2, 1),
    trial({
      scenario: 'late-parcel',
      trial: 3,
      passed: false,
      failures: [`never said "<b>sorry</b>"`],
      transcript: [
        { role: 'user', text: `My note says ${HOSTILE} and <!-- this` },
        { role: 'worker', text: '<img src=x onerror=alert(2)>' },
      ],
    }),
  ]
  const meta = runMeta(['late-parcel'], {
    trialsPerScenario: 3,
    scenarios: [{ suite: 'support', id: 'late-parcel', title: 'A <i>late</i> parcel & more' }],
    threshold: { k: 2, min: 0.5 },
  })
  return summarize(trials, meta)
}

/** The text of every inline script the page would run. */
function runnableScripts(page: string): string[] {
  return [...page.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '')
}

describe('the HTML report', () => {
  const report = hostileReport()
  const page = renderHtmlReport(report)

  it('loads nothing from anywhere: no address in a src or href, and a policy that loads nothing', () => {
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//i)
    expect(page).not.toMatch(/<link\b/i)
    expect(page).toMatch(
      /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;/,
    )
  })

  it('carries Chart.js inline, and lets only its own two scripts run, by their hashes', () => {
    const umd = join(dirname(fileURLToPath(import.meta.resolve('chart.js'))), 'chart.umd.min.js')
    const chartJs = readFileSync(umd, 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n')
    const scripts = runnableScripts(page)
    expect(scripts).toHaveLength(2)
    expect(scripts[0]).toBe(chartJs)
    expect(scripts[1]).toContain("getElementById('pass-k-chart')")
    expect(page).toContain('<canvas id="pass-k-chart"')
    for (const script of scripts) {
      const hash = createHash('sha256').update(script).digest('base64')
      expect(page).toContain(`&#39;sha256-${hash}&#39;`)
    }
  })

  it('shows text from the run escaped: a transcript cannot close a script or add markup', () => {
    const raw = ['<script>alert(1)', '<img src=x', '<b>sorry</b>', '<i>late</i>', '<!-- this']
    expect(raw.filter((text) => page.includes(text))).toEqual([])
    const escaped = [
      '&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;',
      '&lt;img src=x onerror=alert(2)&gt;',
      'A &lt;i&gt;late&lt;/i&gt; parcel &amp; more',
    ]
    expect(escaped.filter((text) => !page.includes(text))).toEqual([])
    // The JSON block's, Chart.js's and the chart's: no other script ends.
    expect(page.match(/<\/script>/g)).toHaveLength(3)
  })

  it('holds the whole report in its JSON block, which parses back to it', () => {
    const block = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(
      page,
    )
    expect(block?.[1]).not.toMatch(/</)
    expect(JSON.parse(block?.[1] ?? '')).toEqual(report)
  })

  it('shows the run, the threshold, each scenario and each trial with its transcript', () => {
    const shown = [
      '<h1>Evaluation of openai/gpt-test</h1>',
      '<dt>Simulator</dt><dd>scripted</dd>',
      '<dt>Database</dt><dd>embedded</dd>',
      '<dt>Trials</dt><dd>3 per scenario, 1 at once</dd>',
      '<dt>When</dt><dd>2026-12-05 08:00 UTC to 2026-12-05 08:03 UTC</dd>',
      'took 3 min 30 s',
      'Threshold pass^2 ≥ 0.5: not met (0)',
      '<td class="number">1/3</td><td class="number">33%</td><td class="number">0%</td>',
      '<span class="pill flaky">flaky</span>',
      '1 of 3 trials passed',
      '<li>never said &quot;&lt;b&gt;sorry&lt;/b&gt;&quot;</li>',
    ]
    // Listed, not printed: a failure would otherwise print the 200 KB page.
    expect(shown.filter((text) => !page.includes(text))).toEqual([])
    expect(page.match(/<details class="trial">/g)).toHaveLength(3)
  })

  it('follows the system into dark mode', () => {
    expect(page).toContain('@media (prefers-color-scheme: dark)')
    expect(page).toContain('color-scheme: light dark')
  })

  it('names an interrupted run as such, with what finished', () => {
    const cut = summarize(
      [...trialsOf('a', 1, 1), trial({ scenario: 'a', trial: 2, ended: 'interrupted' })],
      runMeta(['a', 'b'], { interrupted: true }),
    )
    const text = renderHtmlReport(cut)
    expect(text).toContain('Interrupted: 1 of 4 trials finished')
    expect(text).toContain('<span class="pill off">interrupted</span>')
  })

  it('titles a reference replay as one, without the figures a model spends', () => {
    const meta = runMeta(['a'], { mode: 'reference', model: null, simulator: null })
    const text = renderHtmlReport(summarize(trialsOf('a', 1, 1), meta))
    expect(text).toContain('<h1>Reference replay</h1>')
    expect(text).toContain('<dt>Model</dt><dd>–</dd>')
    expect(text).not.toContain('Tokens in / out')
  })
})
