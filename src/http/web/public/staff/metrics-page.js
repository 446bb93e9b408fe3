// @ts-check
// How the Worker is doing over a chosen period: one card per figure, its value, its chart, what
// it means, and the SQL that computed it, for an operator to run themselves.
import { el } from '../dom.js'
import { figureChart } from './figure-chart.js'
import { formatFigure } from './figure-format.js'
import { explain, pageFrame } from './page-state.js'
import { staffApi } from './staff-api.js'

const PERIODS = [7, 30, 90, 365]
const DAYS_KEY = 'fte.metrics-days'

/** @type {import('./staff-app.js').PageFactory} */
export function render(context, root) {
  const staff = staffApi(context.api)
  const { head, body } = pageFrame(root, 'Metrics')
  /** @type {import('chart.js').Chart[]} */
  let charts = []
  let days = Number(sessionStorage.getItem(DAYS_KEY)) || 30
  let stopped = false
  const range = el('p', { class: 'quiet range' })
  const picker = el('div', { class: 'period', role: 'group', 'aria-label': 'Period' })
  for (const period of PERIODS) {
    const button = el(
      'button',
      { type: 'button', 'aria-pressed': String(period === days) },
      `${period} days`,
    )
    button.addEventListener('click', () => {
      days = period
      sessionStorage.setItem(DAYS_KEY, String(period))
      for (const other of picker.querySelectorAll('button')) {
        other.setAttribute('aria-pressed', String(other === button))
      }
      void load()
    })
    picker.append(button)
  }
  head.append(picker)
  root.insertBefore(range, body)

  function clear() {
    for (const chart of charts) chart.destroy()
    charts = []
  }

  async function load() {
    try {
      const metrics = await staff.metrics(days)
      if (stopped) return
      clear()
      range.textContent = `${new Date(metrics.from).toLocaleDateString()} – ${new Date(metrics.to).toLocaleDateString()}`
      body.replaceChildren(el('div', { class: 'figures' }, ...metrics.figures.map(card)))
    } catch (error) {
      explain(context, body, error, { routeMayBeMissing: true })
    }
  }

  /** @param {import('./staff-api.js').Figure} figure */
  function card(figure) {
    const node = el(
      'article',
      { class: 'figure', 'aria-labelledby': `figure-${figure.name}` },
      el('h3', { id: `figure-${figure.name}`, class: 'figure-title' }, figure.title),
      // A breakdown without a total (a median and a 95th percentile) is read from its parts.
      figure.value === null && figure.shape === 'breakdown'
        ? ''
        : el('p', { class: 'figure-value' }, formatFigure(figure.value, figure.unit)),
      el('p', { class: 'figure-description' }, figure.description),
    )
    const drawn = figureChart(figure)
    if (drawn !== undefined) {
      node.append(drawn.node)
      charts.push(drawn.chart)
    }
    if (figure.shape === 'breakdown' && figure.rows.length > 0) {
      const list = el('dl', { class: 'breakdown' })
      for (const part of figure.rows) {
        list.append(el('dt', {}, part.label), el('dd', {}, formatFigure(part.value, figure.unit)))
      }
      node.append(list)
    }
    node.append(
      el(
        'details',
        { class: 'sql' },
        el('summary', {}, 'SQL'),
        el('pre', {}, el('code', {}, figure.query)),
      ),
    )
    return node
  }

  void load()
  return {
    stop: () => {
      stopped = true
      clear()
    },
  }
}
