// @ts-check
// The report's chart: pass^k against k, a faint line per scenario and the run's mean in bold. Runs
// inline in the report after Chart.js's UMD build; reads the report from its JSON block, and its
// colours from the page's tokens, drawing again when the system switches light and dark.

/**
 * @typedef {{ suite: string, scenario: string, passK: number[] }} Scenario
 * @typedef {{ passK: number[], scenarios: Scenario[] }} PassKData
 */

function drawPassKChart() {
  /** @type {typeof import('chart.js').Chart} */
  const ChartJs = /** @type {any} */ (window).Chart
  const canvas = /** @type {HTMLCanvasElement | null} */ (document.getElementById('pass-k-chart'))
  const block = document.getElementById('report-data')
  if (canvas === null || block === null) return
  /** @type {PassKData} */
  const report = JSON.parse(block.textContent ?? '{}')
  const ks = report.passK.map((_, i) => i + 1)
  // One attempt makes one point: lines need two.
  const points = ks.length === 1 ? 4 : 0
  const percent = (/** @type {number} */ p) => Math.round(p * 1000) / 10

  /** @type {import('chart.js').Chart<'line'> | undefined} */
  let chart
  const draw = () => {
    chart?.destroy()
    const style = getComputedStyle(document.documentElement)
    const token = (/** @type {string} */ name) => style.getPropertyValue(name).trim()
    const faint = token('--series')
    const accent = token('--accent')
    const muted = token('--muted')
    const line = token('--line')
    chart = new ChartJs(canvas, {
      type: 'line',
      data: {
        labels: ks,
        datasets: [
          ...report.scenarios.map((s) => ({
            label: `${s.suite}/${s.scenario}`,
            data: s.passK.map(percent),
            borderColor: faint,
            backgroundColor: faint,
            borderWidth: 1.5,
            pointRadius: points,
            pointHitRadius: 8,
          })),
          {
            label: 'Mean of all scenarios',
            data: report.passK.map(percent),
            borderColor: accent,
            backgroundColor: accent,
            borderWidth: 3.5,
            pointRadius: 3.5,
            pointHitRadius: 8,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: 'nearest', intersect: false },
        plugins: {
          legend: {
            position: 'bottom',
            labels: {
              color: muted,
              boxHeight: 2,
              // The mean only: a legend of every scenario would drown the chart.
              filter: (item) => item.datasetIndex === report.scenarios.length,
            },
          },
          tooltip: {
            callbacks: {
              title: (items) => `k = ${items[0]?.label ?? ''}`,
              label: (item) => `${item.dataset.label}: ${item.formattedValue}%`,
            },
          },
        },
        scales: {
          x: {
            title: { display: true, text: 'k: attempts that must all pass', color: muted },
            grid: { color: line },
            ticks: { color: muted },
          },
          y: {
            min: 0,
            max: 100,
            title: { display: true, text: 'pass^k', color: muted },
            grid: { color: line },
            ticks: { color: muted, callback: (value) => `${value}%` },
          },
        },
      },
    })
  }
  draw()
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', draw)
}

drawPassKChart()
