// @ts-check
// Taking a conversation over, replying in it as oneself, and handing it back to the Worker.
import { el, messageOf } from '../dom.js'
import { personName } from '../format.js'

/**
 * @param {{ held: import('../api.js').Person | null, me: string, myName: string }} state
 * @param {{ takeover: () => Promise<void>, release: () => Promise<void>, reply: (text: string) => Promise<void> }} handlers
 */
export function handoffBar(state, handlers) {
  const status = el('p', { class: 'form-status', role: 'status' })
  /** @param {() => Promise<void>} call @param {HTMLElement} button */
  const run = async (call, button) => {
    button.setAttribute('disabled', '')
    try {
      await call()
    } catch (error) {
      status.textContent = messageOf(error)
      button.removeAttribute('disabled')
    }
  }
  const mine = state.held?.sub === state.me
  if (state.held === null) {
    const take = el('button', { type: 'button', class: 'primary' }, 'Take over')
    take.addEventListener('click', () => void run(handlers.takeover, take))
    return el(
      'div',
      { class: 'handoff' },
      el('p', {}, 'The Worker answers this conversation.'),
      take,
      status,
    )
  }
  if (!mine) {
    return el(
      'div',
      { class: 'handoff held' },
      el('p', {}, `${personName(state.held)} holds this conversation: the Worker is silent in it.`),
      status,
    )
  }
  const box = /** @type {HTMLTextAreaElement} */ (
    el('textarea', { id: 'staff-reply', rows: '2', maxlength: '5000', required: '' })
  )
  const send = el('button', { type: 'submit', class: 'primary' }, `Send as ${state.myName}`)
  const form = el(
    'form',
    { class: 'staff-reply' },
    el(
      'label',
      { for: 'staff-reply' },
      'Reply to the customer (Enter sends, Shift+Enter a new line)',
    ),
    box,
    send,
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const text = box.value.trim()
    if (text === '') return
    // Cleared before it is sent: the reply's own live update redraws this box, and would
    // otherwise put the sent text back as a draft (an invitation to send it twice).
    box.value = ''
    void run(async () => {
      try {
        await handlers.reply(text)
      } catch (error) {
        const current = /** @type {HTMLTextAreaElement | null} */ (
          document.querySelector('#staff-reply')
        )
        if (current !== null && current.value === '') current.value = text
        throw error
      }
      send.removeAttribute('disabled')
    }, send)
  })
  // As in the customer's box: Enter sends, Shift+Enter starts a new line.
  box.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault()
      const submitted = /** @type {HTMLFormElement} */ (form)
      submitted.requestSubmit()
    }
  })
  const back = el('button', { type: 'button' }, 'Hand back to the Worker')
  back.addEventListener('click', () => void run(handlers.release, back))
  return el(
    'div',
    { class: 'handoff held mine' },
    el('p', {}, 'You hold this conversation: the customer’s messages come to you.'),
    form,
    back,
    status,
  )
}
