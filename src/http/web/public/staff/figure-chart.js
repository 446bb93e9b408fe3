// @ts-check
// A metric's chart, drawn by Chart.js on a canvas: its days as a line (or bars for counts), or its
// breakdown as bars. Colours come from the page's own tokens, so dark mode is dark here too.
import { Chart, registerables } from 'chart.js'
import { el } from '../dom.js'
import { formatFigure } from './figure-format.js'

Chart.register(...registerables)

/** @param {string} name */
function token(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim()
}

/**
 * @param {import('./staff-api.js').Figure} figure
 * @returns {{ node: HTMLElement, chart: Chart } | undefined} undefined: nothing to draw
 */
export function figureChart(figure) {
  if (figure.shape === 'single' || figure.rows.length === 0) return undefined
  const byDay = figure.shape === 'series'
  // A day reads as MM-DD under its bar: the period says which year.
  const points = figure.rows.map((p) => ({
    label: byDay ? p.label.slice(5) : p.label,
    value: p.value,
  }))
  const accent = token('--accent')
  const muted = token('--muted')
  const line = token('--line')
  const canvas = el('canvas', {
    role: 'img',
    'aria-label': `${figure.title}: ${points.map((p) => `${p.label} ${formatFigure(p.value, figure.unit)}`).join(', ')}`,
  })
  const node = el('div', { class: 'chart-box' }, canvas)
  const lineChart = byDay && figure.unit !== 'count'
  const chart = new Chart(/** @type {HTMLCanvasElement} */ (canvas), {
    type: lineChart ? 'line' : 'bar',
    data: {
      labels: points.map((p) => p.label),
      datasets: [
        {
          label: figure.title,
          data: points.map((p) => p.value),
          borderColor: accent,
          backgroundColor: lineChart ? `${accent}33` : accent,
          fill: lineChart,
          tension: 0.3,
          pointRadius: points.length > 40 ? 0 : 2,
          borderRadius: 4,
          maxBarThickness: 28,
        },
      ],
    },
    options: {
      indexAxis: byDay ? 'x' : 'y',
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: { label: (item) => formatFigure(Number(item.raw), figure.unit) },
        },
      },
      scales: {
        x: { grid: { color: line }, ticks: { color: muted, maxRotation: 0, autoSkipPadding: 12 } },
        y: { grid: { color: line }, ticks: { color: muted }, beginAtZero: true },
      },
    },
  })
  return { node, chart }
}
