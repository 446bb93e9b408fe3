// @ts-check
// Every customer's conversations, most recent first: whose, when, and whether a person holds it.
import { el } from '../dom.js'
import { avatar, personName, shortWhen, when } from '../format.js'
import { conversationHref } from '../router.js'
import { explain, pageFrame } from './page-state.js'
import { staffApi } from './staff-api.js'

/** @type {import('./staff-app.js').PageFactory} */
export function render(context, root) {
  const { body } = pageFrame(root, 'Conversations')
  let stopped = false
  staffApi(context.api)
    .conversations(100)
    .then(({ conversations }) => {
      if (stopped) return
      if (conversations.length === 0) {
        body.replaceChildren(el('p', { class: 'empty-state' }, 'No conversations yet.'))
        return
      }
      body.replaceChildren(
        el(
          'ul',
          { class: 'conversation-table' },
          ...conversations.map((c) => {
            const customer = c.customer === null ? 'Unknown customer' : personName(c.customer)
            const last = c.lastAt ?? c.startedAt
            return el(
              'li',
              {},
              el(
                'a',
                { href: conversationHref(c.id) },
                avatar('user', customer),
                el(
                  'span',
                  { class: 'row-main' },
                  el('span', { class: 'title' }, c.title || `Conversation of ${when(c.startedAt)}`),
                  el('span', { class: 'quiet' }, customer),
                ),
                c.held === null
                  ? ''
                  : el('span', { class: 'badge person' }, `Held by ${personName(c.held)}`),
                el('time', { datetime: last, class: 'when' }, shortWhen(last)),
              ),
            )
          }),
        ),
      )
    })
    .catch((error) => explain(context, body, error, { routeMayBeMissing: true }))
  return {
    stop: () => {
      stopped = true
    },
  }
}
