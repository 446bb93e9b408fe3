// @ts-check
// The inbox: requests waiting for a staff decision, escalated tickets with their packet, and
// conversations held by a person, oldest first, each with its age and who holds it. It follows
// the server's inbox stream and reads the inbox again whenever anything in it changed.
import { ApiError } from '../api.js'
import { el, messageOf } from '../dom.js'
import { inboxCard } from './inbox-card.js'
import { explain, pageFrame } from './page-state.js'
import { staffApi } from './staff-api.js'

/** @type {import('./staff-app.js').PageFactory} */
export function render(context, root) {
  const staff = staffApi(context.api)
  const { head, body } = pageFrame(root, 'Inbox')
  const live = el('span', { class: 'live-state', hidden: '' })
  const count = el('span', { class: 'count' })
  const status = el('p', { class: 'page-status', role: 'status' })
  head.append(count, live)
  root.insertBefore(status, body)
  let stopped = false
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let pending

  async function load() {
    try {
      const { items } = await staff.inbox()
      if (stopped) return
      count.textContent = items.length === 0 ? '' : `${items.length} waiting`
      if (items.length === 0) {
        body.replaceChildren(
          el(
            'p',
            { class: 'empty-state' },
            'Nothing is waiting. Requests for a decision, conversations a person holds and ' +
              "the domain's own items appear here as they arrive.",
          ),
        )
        return
      }
      const open = body.querySelector('.action-form') !== null
      // A form being filled in stays as it is; the rest of the inbox waits for it.
      if (open) return
      body.replaceChildren(
        el('div', { class: 'inbox' }, ...items.map((item) => inboxCard(item, handlers))),
      )
    } catch (error) {
      explain(context, body, error, { routeMayBeMissing: true })
    }
  }

  /** Many changes at once (a burst of decisions) read the inbox once. */
  function soon() {
    clearTimeout(pending)
    pending = setTimeout(() => void load(), 150)
  }

  /** @param {() => Promise<unknown>} call @param {string} done */
  async function run(call, done) {
    try {
      await call()
      status.textContent = done
    } catch (error) {
      status.textContent =
        error instanceof ApiError && error.status === 409
          ? 'Someone else holds this item now.'
          : messageOf(error)
    }
    await load()
  }

  /** @type {import('./inbox-card.js').CardHandlers} */
  const handlers = {
    me: context.me.sub,
    claim: (id) => run(() => staff.claim(id), 'Claimed.'),
    unclaim: (id) => run(() => staff.unclaim(id), 'Released.'),
    act: async (id, action, fields) => {
      const { message } = await staff.act(id, action, fields)
      status.textContent = message
      body.querySelector('.action-form')?.remove()
      await load()
    },
  }

  void load()
  const stream = staff.inboxEvents({
    onEvent: soon,
    onState: (state) => {
      live.hidden = false
      live.textContent = state === 'live' ? 'Live' : 'Reconnecting…'
      live.classList.toggle('down', state !== 'live')
      if (state === 'live') soon()
    },
    onRefused: () => {
      live.hidden = true
    },
  })
  // Ages move on by themselves.
  const ticking = setInterval(() => {
    if (body.querySelector('.action-form') === null) void load()
  }, 60_000)
  return {
    stop: () => {
      stopped = true
      stream.close()
      clearInterval(ticking)
      clearTimeout(pending)
    },
  }
}
