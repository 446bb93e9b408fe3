// @ts-check
// A request routed to staff, in the conversation it came from: what it would do, the server's
// lines whole, and, while it waits, a decision with a reason.
import { summaryView } from '../customer/consent-card.js'
import { el, messageOf } from '../dom.js'
import { age, personName } from '../format.js'

/**
 * @param {import('../api.js').StaffRequest} request
 * @param {(decision: 'approve' | 'reject', reason: string) => Promise<void>} decide
 */
export function requestDecision(request, decide) {
  const card = el(
    'article',
    { class: `staff-request ${request.status}`, 'aria-label': 'Request for a staff decision' },
    el(
      'div',
      { class: 'card-head' },
      el('span', { class: `kind kind-request` }, 'Request'),
      el(
        'h3',
        { class: 'card-title' },
        request.summary?.title ?? 'A request the server could not describe',
      ),
      el('time', { class: 'age', datetime: request.createdAt }, age(request.createdAt)),
    ),
  )
  if (request.summary !== null) card.append(...summaryView(request.summary))
  if (request.status !== 'pending') {
    const by = request.decidedBy ? ` by ${personName(request.decidedBy)}` : ''
    card.append(
      el(
        'p',
        { class: 'decision' },
        `${request.status === 'approved' ? 'Approved' : 'Rejected'}${by}`,
      ),
    )
    if (request.reason) card.append(el('p', { class: 'quiet' }, `Reason: ${request.reason}`))
    if (request.outcome) card.append(el('p', {}, request.outcome))
    return card
  }
  const id = `staff-reason-${request.id}`
  const reason = /** @type {HTMLInputElement} */ (
    el('input', { id, type: 'text', maxlength: '1000', autocomplete: 'off' })
  )
  const approve = el('button', { type: 'button', class: 'primary' }, 'Approve')
  const reject = el('button', { type: 'button' }, 'Reject')
  const status = el('p', { class: 'form-status', role: 'status' })
  /** @param {'approve' | 'reject'} decision */
  const choose = async (decision) => {
    for (const control of [approve, reject, reason]) control.setAttribute('disabled', '')
    status.textContent = decision === 'approve' ? 'Approving…' : 'Rejecting…'
    try {
      await decide(decision, reason.value.trim())
    } catch (error) {
      status.textContent = `Not recorded: ${messageOf(error)}`
      for (const control of [approve, reject, reason]) control.removeAttribute('disabled')
    }
  }
  approve.addEventListener('click', () => void choose('approve'))
  reject.addEventListener('click', () => void choose('reject'))
  card.append(
    el('label', { for: id }, 'Reason (shown to the customer)'),
    reason,
    el('div', { class: 'actions' }, approve, reject),
    status,
  )
  return card
}
