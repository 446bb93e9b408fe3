// @ts-check
// A request for the user's consent, in words: the server's plain question ("Refund $312.00 to
// your card for order #4471?"), its details folded away, and the two answers. The details are the
// server's lines, whole; the model's own words are set apart and marked as not checked.
import { el, messageOf } from '../dom.js'

/**
 * What the server says a call will do: its lines as labels and values, then the model's free text
 * apart, marked as the Worker's words. Nothing is cut; long values wrap.
 * @param {import('../api.js').ApprovalSummary} summary
 */
export function summaryView(summary) {
  const lines = el('dl', { class: 'summary' })
  for (const line of summary.lines) lines.append(el('dt', {}, line.label), el('dd', {}, line.value))
  if (summary.model_text.length === 0) return [lines]
  const words = el(
    'section',
    { class: 'model-words', 'aria-label': "The Worker's words" },
    el('p', { class: 'model-words-note' }, "The Worker's words (not checked by the server):"),
  )
  for (const said of summary.model_text) {
    words.append(
      el('p', { class: 'model-words-label' }, said.label),
      el('blockquote', {}, said.text),
    )
  }
  return [lines, words]
}

/**
 * A waiting approval and its buttons; `decide` runs the decision's turn. Without a summary the
 * call cannot be approved, only rejected.
 * @param {import('../api.js').Approval} approval
 * @param {(decision: 'approve' | 'reject', reason: string) => Promise<void>} decide
 */
export function consentCard(approval, decide) {
  const reasonId = `reason-${approval.id}`
  const { summary } = approval
  const question =
    summary === null
      ? 'The assistant asks to do something the server could not describe'
      : (summary.prompt ?? summary.title)
  const title = el(
    'p',
    { id: `approval-${approval.id}`, class: 'consent-title' },
    el('span', { class: 'visually-hidden' }, 'Approval needed: '),
    question,
  )
  const body =
    summary === null
      ? [
          el(
            'p',
            { class: 'unavailable' },
            'The server could not say what this request would do (its summary is unavailable), ' +
              'so it cannot be approved. Reject it; the assistant can ask again.',
          ),
        ]
      : [el('details', { class: 'details' }, el('summary', {}, 'Details'), ...summaryView(summary))]
  const reason = /** @type {HTMLInputElement} */ (
    el('input', {
      id: reasonId,
      type: 'text',
      maxlength: '1000',
      autocomplete: 'off',
      placeholder: 'Add a note (optional)',
    })
  )
  const approve = el('button', { type: 'button', class: 'primary' }, 'Approve')
  const reject = el('button', { type: 'button', class: 'secondary' }, 'Reject')
  const outcome = el('p', { class: 'outcome', role: 'status' })
  const item = el(
    'li',
    { class: 'approval', 'aria-labelledby': `approval-${approval.id}` },
    el('p', { class: 'consent-kicker' }, 'Your approval is needed'),
    title,
    ...body,
    el('label', { for: reasonId, class: 'visually-hidden' }, 'Reason (optional)'),
    reason,
    el('div', { class: 'actions' }, ...(summary === null ? [reject] : [approve, reject])),
    outcome,
  )
  /** @param {'approve' | 'reject'} decision */
  const choose = async (decision) => {
    for (const control of [approve, reject, reason]) control.setAttribute('disabled', '')
    item.classList.add('deciding')
    outcome.textContent = decision === 'approve' ? 'Approving…' : 'Rejecting…'
    try {
      await decide(decision, reason.value.trim())
      outcome.textContent = decision === 'approve' ? 'Approved.' : 'Rejected.'
      item.classList.add('decided')
      item.querySelector('details')?.removeAttribute('open')
    } catch (error) {
      item.classList.remove('deciding')
      outcome.textContent = `Not recorded: ${messageOf(error)}`
      for (const control of [approve, reject, reason]) control.removeAttribute('disabled')
    }
  }
  approve.addEventListener('click', () => void choose('approve'))
  reject.addEventListener('click', () => void choose('reject'))
  return item
}
