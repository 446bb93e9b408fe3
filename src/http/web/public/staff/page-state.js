// @ts-check
// What a console page shows instead of its content: loading, a route this server does not have
// yet, or a refusal.
import { ApiError } from '../api.js'
import { el, messageOf } from '../dom.js'

/**
 * @param {HTMLElement} root
 * @param {string} title
 */
export function pageFrame(root, title) {
  const heading = el('h2', { class: 'page-title' }, title)
  const head = el('div', { class: 'page-head' }, heading)
  const body = el('div', { class: 'page-body' }, el('p', { class: 'loading' }, 'Loading…'))
  root.replaceChildren(head, body)
  return { head, body }
}

/**
 * Shows why a page has nothing to show: whatever refused it (401 goes to the sign-in, as
 * everywhere), or, for a page whose route answers 404 only when the server does not have it, that
 * this part of the console is not available on this server yet.
 * @param {import('../app.js').Context} context
 * @param {HTMLElement} body
 * @param {unknown} error
 * @param {{ routeMayBeMissing?: boolean }} [options]
 */
export function explain(context, body, error, options = {}) {
  const missing = error instanceof ApiError && error.status === 404 && error.code === 'not_found'
  if (missing && options.routeMayBeMissing) {
    body.replaceChildren(
      el(
        'p',
        { class: 'empty-state' },
        'Not available on this server yet: it does not have this part of the staff console.',
      ),
    )
    return
  }
  if (error instanceof ApiError && error.status === 401) context.refused(error)
  body.replaceChildren(el('p', { class: 'note error', role: 'alert' }, messageOf(error)))
}
