// @ts-check
// What a conversation shows its customer, item by item: message bubbles with who said them, plain
// activity lines while the assistant works, notes, and the moments a person joins or leaves.
import { el } from '../dom.js'
import { avatar, personName, shortWhen } from '../format.js'

/**
 * A message as a bubble: the user's on the right; the assistant's, or a person's from the team
 * (named, and marked as staff), on the left with their badge.
 * @param {'user' | 'assistant'} role
 * @param {string} text
 * @param {{ author?: import('../api.js').Person | null, at?: string, id?: string }} [options]
 */
export function messageItem(role, text, options = {}) {
  const { author } = options
  const kind = role === 'user' ? 'user' : author ? 'staff' : 'assistant'
  const speaker =
    kind === 'user' ? 'You' : author ? `${personName(author)} · Support team` : 'Assistant'
  const meta = el('span', { class: 'speaker' }, speaker)
  if (options.at !== undefined) {
    meta.append(el('time', { datetime: options.at }, ` · ${shortWhen(options.at)}`))
  }
  const bubble = el('div', { class: 'bubble' }, meta, el('p', {}, text))
  const item = el(
    'li',
    { class: `message ${kind === 'user' ? 'user' : 'assistant'} ${kind}` },
    ...(kind === 'user' ? [bubble] : [avatar(kind, author ? personName(author) : ''), bubble]),
  )
  if (options.id !== undefined) item.dataset.messageId = options.id
  return item
}

/**
 * What the assistant is doing, in words ("Looking up order #4429…"), with a spinner until its
 * result is in.
 * @param {string} text
 */
export function activityItem(text) {
  return el(
    'li',
    { class: 'activity working' },
    el('span', { class: 'activity-mark', 'aria-hidden': 'true' }),
    el('span', { class: 'activity-text' }, text),
  )
}

/**
 * The activity's result: a tick, or a plain line that it failed (never the tool's own words).
 * @param {HTMLElement} item
 * @param {'ok' | 'error'} status
 */
export function settleActivity(item, status) {
  item.classList.remove('working')
  item.classList.add(status === 'ok' ? 'done' : 'failed')
  if (status === 'error') {
    item.append(el('span', { class: 'activity-failed' }, ' That check failed.'))
  }
}

/** @param {string} text @param {'notice' | 'error'} kind */
export function noteItem(text, kind) {
  return el('li', { class: `note ${kind}`, ...(kind === 'error' ? { role: 'alert' } : {}) }, text)
}

/**
 * A moment in the conversation, centred between the bubbles: a person joined, or left.
 * @param {string} text
 */
export function eventLine(text) {
  return el('li', { class: 'event-line' }, el('span', {}, text))
}

/** @param {import('../api.js').Person} person */
export function joinedLine(person) {
  return eventLine(`${personName(person)} from the support team has joined the conversation`)
}

/** @param {import('../api.js').Person | null} person */
export function leftLine(person) {
  const who = person === null ? 'The support team' : personName(person)
  return eventLine(`${who} handed the conversation back to the assistant`)
}

const REQUEST_STATUS = {
  pending: 'Waiting for review by a support lead',
  approved: 'Approved',
  rejected: 'Declined',
}

/**
 * A request that needs a support lead's decision: what was asked, where it stands, and, once
 * decided, by whom and what came of it. Its title, not its prompt: the prompt asks the support
 * lead ("Refund $450.00 to Maya Okafor…?"), and would speak of the customer to her face.
 * @param {import('../api.js').StaffRequest} request
 */
export function requestItem(request) {
  const what = request.summary?.title ?? 'A request for the team'
  const item = el(
    'li',
    { class: `request-card ${request.status}` },
    el('p', { class: 'request-title' }, what),
    el('p', { class: 'request-status' }, REQUEST_STATUS[request.status] ?? request.status),
  )
  item.dataset.requestId = request.id
  if (request.status !== 'pending') {
    const by = request.decidedBy ? ` by ${personName(request.decidedBy)}` : ''
    const status = /** @type {HTMLElement} */ (item.querySelector('.request-status'))
    status.textContent += by
    if (request.reason) item.append(el('p', { class: 'request-reason' }, `“${request.reason}”`))
    if (request.outcome) item.append(el('p', { class: 'request-outcome' }, request.outcome))
  }
  return item
}

/**
 * A conversation's stored messages as bubbles. The steps between them (tool calls, results) are
 * the staff view's: a customer reads the conversation.
 * @param {import('../api.js').Entry[]} entries
 */
export function entryItems(entries) {
  return entries
    .filter((entry) => entry.kind === 'message')
    .filter((entry) => entry.role === 'user' || entry.role === 'assistant')
    .map((entry) =>
      messageItem(/** @type {'user' | 'assistant'} */ (entry.role), entry.content, {
        author: entry.author ?? null,
        at: entry.createdAt,
        id: entry.id,
      }),
    )
}
