// @ts-check
// One inbox item as a card: what it is and how old, whose it is, its details, who holds it, and
// what can be done about it.

import { summaryView } from '../customer/consent-card.js'
import { el } from '../dom.js'
import { age, avatar, personName, when } from '../format.js'
import { conversationHref } from '../router.js'
import { actionForm } from './action-form.js'

/** The inbox kinds of the core; any other is the domain pack's. */
const CORE_KINDS = new Set(['request', 'conversation'])

/**
 * @typedef {{
 *   me: string,
 *   claim: (id: string) => Promise<void>,
 *   unclaim: (id: string) => Promise<void>,
 *   act: (id: string, action: string, fields: Record<string, string>) => Promise<void>,
 * }} CardHandlers
 */

/**
 * @param {import('./staff-api.js').InboxItem} item
 * @param {CardHandlers} handlers `me`: the signed-in subject, to tell one's own claims
 */
export function inboxCard(item, handlers) {
  const mine = item.claimedBy?.sub === handlers.me
  const ageLine = el('time', {
    class: 'age',
    datetime: item.createdAt,
    title: when(item.createdAt),
  })
  ageLine.textContent = age(item.createdAt)
  const head = el(
    'div',
    { class: 'card-head' },
    el(
      'span',
      { class: `kind ${CORE_KINDS.has(item.kind) ? `kind-${item.kind}` : 'kind-pack'}` },
      item.kindLabel,
    ),
    el('h3', { class: 'card-title' }, item.title),
    ageLine,
  )
  const card = el(
    'article',
    { class: `inbox-card${mine ? ' mine' : ''}`, 'aria-label': item.title },
    head,
  )
  card.dataset.itemId = item.id
  if (item.customer !== null) {
    const name = personName(item.customer)
    card.append(
      el(
        'p',
        { class: 'customer' },
        avatar('user', name),
        el('span', {}, name),
        item.customer.email && item.customer.email !== name
          ? el('span', { class: 'quiet' }, item.customer.email)
          : '',
      ),
    )
  }
  if (item.lines.length > 0 || (item.modelText ?? []).length > 0) {
    card.append(
      ...summaryView({ title: item.title, lines: item.lines, model_text: item.modelText ?? [] }),
    )
  }
  const claim = el(
    'p',
    { class: 'claim' },
    item.claimedBy === null
      ? 'Unclaimed'
      : `${mine ? 'Claimed by you' : `Claimed by ${personName(item.claimedBy)}`}${
          item.claimedAt ? ` · ${age(item.claimedAt)}` : ''
        }`,
  )
  const buttons = el('div', { class: 'actions' })
  const formSlot = el('div', { class: 'form-slot' })
  // Someone else's claim is theirs to release: the card says whose it is.
  if (item.claimedBy === null) {
    const take = el('button', { type: 'button' }, 'Claim')
    take.addEventListener('click', () => void handlers.claim(item.id))
    buttons.append(take)
  } else if (mine) {
    const release = el('button', { type: 'button' }, 'Release')
    release.addEventListener('click', () => void handlers.unclaim(item.id))
    buttons.append(release)
  }
  for (const [index, action] of item.actions.entries()) {
    const button = el(
      'button',
      { type: 'button', class: index === 0 ? 'primary' : '' },
      action.label,
    )
    button.addEventListener('click', () => {
      formSlot.replaceChildren(
        actionForm(
          action,
          (fields) => handlers.act(item.id, action.name, fields),
          () => formSlot.replaceChildren(),
        ),
      )
    })
    buttons.append(button)
  }
  if (item.conversationId !== null) {
    buttons.append(
      el(
        'a',
        { href: conversationHref(item.conversationId), class: 'button-link' },
        'Open the conversation',
      ),
    )
  }
  card.append(el('div', { class: 'card-foot' }, claim, buttons), formSlot)
  return card
}
