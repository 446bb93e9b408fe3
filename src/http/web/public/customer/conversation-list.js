// @ts-check
// The user's conversations, newest first, each by its title (or its date when it has none yet).
// On a phone the list is a drawer behind the menu button, so the chat keeps the screen.
import { el } from '../dom.js'
import { shortWhen, when } from '../format.js'
import { chatHref } from '../router.js'

export class ConversationList {
  /**
   * @param {{ list: HTMLElement, empty: HTMLElement, drawer: HTMLElement, menu: HTMLButtonElement,
   *   scrim: HTMLElement, close: HTMLElement }} ui
   */
  constructor(ui) {
    this.ui = ui
    ui.menu.hidden = false
    ui.menu.addEventListener('click', () =>
      this.toggle(ui.menu.getAttribute('aria-expanded') !== 'true'),
    )
    ui.scrim.addEventListener('click', () => this.toggle(false))
    ui.close.addEventListener('click', () => {
      this.toggle(false)
      ui.menu.focus()
    })
    // Wherever the focus is (the menu button stays focused when the drawer opens).
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.isOpen()) {
        this.toggle(false)
        ui.menu.focus()
      }
    })
    // Choosing a conversation closes the drawer.
    ui.list.addEventListener('click', (event) => {
      if (event.target instanceof Element && event.target.closest('a')) this.toggle(false)
    })
  }

  /** @param {import('../api.js').ConversationListing[]} conversations */
  show(conversations) {
    this.ui.list.replaceChildren(
      ...conversations.map((c) => {
        const last = c.lastAt ?? c.lastMessageAt ?? c.startedAt ?? null
        const title = c.title || `Conversation of ${when(c.startedAt ?? last)}`
        const link = el(
          'a',
          { href: chatHref(c.id) },
          el('span', { class: 'title' }, title),
          el('span', { class: 'when' }, last === null ? '' : shortWhen(last)),
        )
        link.dataset.id = c.id
        const item = el('li', {}, link)
        if ((c.waitingApprovals ?? 0) > 0) {
          link.append(el('span', { class: 'badge' }, `${c.waitingApprovals} waiting`))
        }
        if (c.held) link.append(el('span', { class: 'badge person' }, 'With a person'))
        return item
      }),
    )
    this.ui.empty.hidden = conversations.length > 0
  }

  /** @param {string | undefined} id @returns {string | undefined} the open one's title */
  mark(id) {
    let title
    for (const link of this.ui.list.querySelectorAll('a')) {
      if (link.dataset.id === id) {
        link.setAttribute('aria-current', 'page')
        title = link.querySelector('.title')?.textContent ?? undefined
      } else {
        link.removeAttribute('aria-current')
      }
    }
    return title
  }

  isOpen() {
    return this.ui.drawer.classList.contains('open')
  }

  /** @param {boolean} open */
  toggle(open) {
    this.ui.drawer.classList.toggle('open', open)
    this.ui.scrim.hidden = !open
    this.ui.menu.setAttribute('aria-expanded', String(open))
    if (open) this.ui.close.focus()
  }
}
