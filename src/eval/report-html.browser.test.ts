import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { runMeta, trial, trialsOf } from '../../test/support/eval-trials.ts'
import { launchChromium, problemsOf } from '../../test/support/headless-chromium.ts'
import { packageRoot } from '../lib/package-root.ts'
import { summarize } from './summarize.ts'
import { writeReports } from './write-reports.ts'

const chromiumPath = inject('chromiumPath')
/** Where the screenshots go: kept after the run (git ignores the folder). */
const artifacts = join(packageRoot(), 'test-artifacts', 'eval')

/** What the chart drew: its datasets, the mean's colour, and how many of its pixels are painted. */
const CHART_STATE = `(() => {
  const canvas = document.getElementById('pass-k-chart')
  const chart = Chart.getChart(canvas)
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data
  let painted = 0
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++
  const datasets = chart ? chart.data.datasets : []
  return {
    labels: datasets.map((d) => d.label),
    mean: datasets.at(-1)?.data,
    meanColour: datasets.at(-1)?.borderColor,
    painted,
  }
})()`

describe.skipIf(chromiumPath === null)('the HTML report in headless Chromium', () => {
  let browser: Browser
  let dir: string
  let url: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fte-eval-html-'))
    await mkdir(artifacts, { recursive: true })
    browser = await launchChromium(chromiumPath ?? '')
    const trials = [
      ...trialsOf('late-parcel', 4, 3),
      ...trialsOf('address-change', 4, 4),
      ...trialsOf('unknown-answer', 3, 1),
      trial({
        scenario: 'unknown-answer',
        trial: 4,
        passed: false,
        failures: ['said something it was not told'],
        transcript: [{ role: 'user', text: '</script><script>alert(1)</script>' }],
      }),
    ]
    const meta = runMeta(['late-parcel', 'address-change', 'unknown-answer'], {
      trialsPerScenario: 4,
      threshold: { k: 2, min: 0.5 },
    })
    const file = join(dir, 'report.html')
    await writeReports(summarize(trials, meta), { html: file })
    url = pathToFileURL(file).href
  })
  afterAll(async () => {
    await browser?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('draws the chart offline, a line per scenario and the mean, with no error and no alert', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } })
    const problems = problemsOf(page)
    const dialogs: string[] = []
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message())
      void dialog.dismiss()
    })
    const requests: string[] = []
    page.on('request', (request) => requests.push(request.url()))
    await page.goto(url)
    await page.locator('#pass-k-chart').waitFor()
    const state = (await page.evaluate(CHART_STATE)) as {
      labels: string[]
      mean: number[]
      meanColour: string
      painted: number
    }
    expect(state.labels).toEqual([
      'support/late-parcel',
      'support/address-change',
      'support/unknown-answer',
      'Mean of all scenarios',
    ])
    // (75 + 100 + 25) / 3, then (50 + 100 + 0) / 3 … as percentages to one decimal.
    expect(state.mean).toEqual([66.7, 50, 41.7, 33.3])
    expect(state.meanColour).toBe('#4f46e5')
    expect(state.painted).toBeGreaterThan(1000)

    // The hostile transcript shows as text when its trial is opened.
    const last = page.locator('details.trial').last()
    await last.locator('summary').click()
    await expect
      .poll(() => last.locator('ol.transcript .text').innerText())
      .toBe('</script><script>alert(1)</script>')
    await page.screenshot({ path: join(artifacts, 'report-light.png'), fullPage: true })
    expect(dialogs).toEqual([])
    expect(requests).toEqual([url])
    expect(problems).toEqual([])
    await page.close()
  })

  it('turns dark with the system, the chart redrawn in the dark colours', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } })
    const problems = problemsOf(page)
    await page.goto(url)
    await page.emulateMedia({ colorScheme: 'dark' })
    await expect
      .poll(() => page.evaluate('getComputedStyle(document.body).backgroundColor'))
      .toBe('rgb(13, 16, 22)')
    // The chart redraws on the change of scheme, after the page's colours change.
    const chart = async () =>
      (await page.evaluate(CHART_STATE)) as { meanColour: string; painted: number }
    await expect.poll(async () => (await chart()).meanColour).toBe('#8b8ff8')
    expect((await chart()).painted).toBeGreaterThan(1000)
    await page.screenshot({ path: join(artifacts, 'report-dark.png'), fullPage: true })
    expect(problems).toEqual([])
    await page.close()
  })
})
