// @ts-check
// The address after `#` names what the page shows, so a reload or a shared link opens it again:
// `#/c/<id>` a chat, and for staff `#/inbox`, `#/conversations`, `#/conversations/<id>`,
// `#/metrics`. `#<id>` (the page's earlier addresses) still opens that chat.

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'

/**
 * @typedef {{ page: 'chat', id: string | undefined }
 *   | { page: 'inbox' }
 *   | { page: 'conversations' }
 *   | { page: 'conversation', id: string }
 *   | { page: 'metrics' }} Route
 */

/** @param {string} hash @returns {Route | undefined} undefined: nothing this page knows */
export function parseRoute(hash) {
  const path = hash.replace(/^#/, '')
  if (path === '' || path === '/' || path === '/c' || path === '/c/') {
    return { page: 'chat', id: undefined }
  }
  const chat = new RegExp(`^(?:/c/)?(${UUID})$`, 'i').exec(path)
  if (chat?.[1] !== undefined) return { page: 'chat', id: chat[1].toLowerCase() }
  if (path === '/inbox') return { page: 'inbox' }
  if (path === '/conversations') return { page: 'conversations' }
  if (path === '/metrics') return { page: 'metrics' }
  const one = new RegExp(`^/conversations/(${UUID})$`, 'i').exec(path)
  if (one?.[1] !== undefined) return { page: 'conversation', id: one[1].toLowerCase() }
  return undefined
}

/** @param {string | undefined} id */
export function chatHref(id) {
  return id === undefined ? '#/' : `#/c/${id}`
}

/** @param {string} id */
export function conversationHref(id) {
  return `#/conversations/${id}`
}
