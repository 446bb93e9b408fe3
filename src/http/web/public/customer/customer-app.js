// @ts-check
// The customer's page: the chat, its address naming the open conversation (`#/c/<id>`).
import { parseRoute } from '../router.js'
import { Chat } from './chat.js'

/** @param {import('../app.js').Context} context */
export function start(context) {
  const chat = new Chat(context)
  const route = () => {
    const wanted = parseRoute(location.hash)
    void chat.open(wanted?.page === 'chat' ? wanted.id : undefined)
  }
  window.addEventListener('hashchange', route)
  void chat
    .refreshList()
    .then(route)
    .then(() => chat.composer.focus())
  return {
    stop: () => {
      window.removeEventListener('hashchange', route)
      chat.stop()
    },
  }
}
