// @ts-check
// A conversation's audit trail in the page's dialog: everything recorded about it, oldest first.
import { byId, el } from './dom.js'

/** @param {string} text */
function firstLine(text) {
  const line = text.trim().split('\n')[0] ?? ''
  return line.length > 160 ? `${line.slice(0, 159)}…` : line
}

/** @param {import('./api.js').TimelineEvent} event */
export function timelineItem(event) {
  const at = new Date(event.at)
  const time = el(
    'time',
    { datetime: at.toISOString() },
    at.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' }),
  )
  if (event.kind === 'message') {
    return el(
      'li',
      { class: 'timeline-message' },
      time,
      ' ',
      el('strong', {}, event.role),
      ` ${firstLine(event.content)}`,
    )
  }
  const details = [`by ${event.actor}`]
  if (event.target !== null) details.push(`on ${event.target}`)
  if (event.invocation !== null) {
    const { capability, status, latencyMs } = event.invocation
    const named = event.target?.endsWith(`:${capability}`) ? '' : `${capability} `
    details.push(`${named}${status} in ${latencyMs} ms`)
  }
  return el(
    'li',
    { class: 'timeline-audit' },
    time,
    ' ',
    el('strong', {}, event.action),
    ` ${details.join(' · ')}`,
  )
}

/**
 * @param {import('./api.js').Api} api
 * @param {string} conversationId
 */
export async function showAuditTrail(api, conversationId) {
  const dialog = /** @type {HTMLDialogElement} */ (byId('audit'))
  const { events } = await api.audit(conversationId)
  byId('audit-events').replaceChildren(...events.map(timelineItem))
  if (!dialog.dataset.wired) {
    dialog.dataset.wired = '1'
    byId('close-audit').addEventListener('click', () => dialog.close())
  }
  dialog.showModal()
}
