// @ts-check
// The staff console: the inbox, any customer's conversation, the metrics, and the chat with the
// Worker, one page each behind the nav; the address names the page (`#/inbox`, `#/metrics`, …).
import { Chat } from '../customer/chat.js'
import { byId, el } from '../dom.js'
import { parseRoute } from '../router.js'

/**
 * A page of the console: it fills `root` and stops its live streams when left.
 * @typedef {{ stop: () => void }} Page
 * @typedef {(context: import('../app.js').Context, root: HTMLElement, route: any) => Page} PageFactory
 */

const PAGES = [
  { href: '#/inbox', label: 'Inbox', pages: ['inbox'] },
  { href: '#/conversations', label: 'Conversations', pages: ['conversations', 'conversation'] },
  { href: '#/metrics', label: 'Metrics', pages: ['metrics'] },
  { href: '#/', label: 'Chat', pages: ['chat'] },
]

/** @type {Record<string, () => Promise<{ render: PageFactory }>>} loaded when first shown */
const MODULES = {
  inbox: () => import('./inbox-page.js'),
  conversations: () => import('./conversations-page.js'),
  conversation: () => import('./conversation-page.js'),
  metrics: () => import('./metrics-page.js'),
}

/** @param {import('../app.js').Context} context */
export function start(context) {
  const nav = byId('staff-nav')
  const chatLayout = byId('chat-layout')
  const view = byId('staff-view')
  const menu = byId('menu')
  const links = PAGES.map((page) => {
    const link = el('a', { href: page.href }, page.label)
    nav.append(link)
    return { link, pages: page.pages }
  })
  nav.hidden = false
  // The nav takes the header's room: the pack's description is the customers' greeting.
  byId('domain').hidden = true
  /** @type {Chat | undefined} made when the chat is first shown */
  let chat
  /** @type {Page | undefined} */
  let shown
  let generation = 0

  const route = async () => {
    const wanted = parseRoute(location.hash) ?? { page: 'inbox' }
    const mine = ++generation
    shown?.stop()
    shown = undefined
    for (const { link, pages } of links) {
      if (pages.includes(wanted.page)) link.setAttribute('aria-current', 'page')
      else link.removeAttribute('aria-current')
    }
    const isChat = wanted.page === 'chat'
    // The chat, hidden, follows nothing: shown again, it reads its conversation afresh.
    if (!isChat) chat?.stop()
    chatLayout.hidden = !isChat
    view.hidden = isChat
    menu.hidden = !isChat
    if (wanted.page === 'chat') {
      if (chat === undefined) {
        chat = new Chat(context)
        await chat.refreshList()
      }
      await chat.open(wanted.id)
      return
    }
    const load = MODULES[wanted.page]
    if (load === undefined) return
    const { render } = await load()
    if (mine !== generation) return
    view.replaceChildren()
    shown = render(context, view, wanted)
  }
  if (location.hash === '' || location.hash === '#') history.replaceState(null, '', '#/inbox')
  window.addEventListener('hashchange', () => void route())
  void route()
  return {
    stop: () => {
      shown?.stop()
      chat?.stop()
    },
  }
}
