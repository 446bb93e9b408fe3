// @ts-check
// The message box: one line that grows with what is written (up to a few lines, then it
// scrolls), Enter sends and Shift+Enter starts a new line, and the draft survives a sign-in.
import { byId } from '../dom.js'

const DRAFT_KEY = 'fte.draft'

export class Composer {
  /** @param {(text: string) => void} onSend */
  constructor(onSend) {
    this.form = /** @type {HTMLFormElement} */ (byId('composer'))
    this.box = /** @type {HTMLTextAreaElement} */ (byId('message'))
    this.send = /** @type {HTMLButtonElement} */ (byId('send'))
    // The box shows before this page's script is loaded: what was written meanwhile stays.
    const draft = sessionStorage.getItem(DRAFT_KEY)
    if (draft !== null) this.box.value = draft
    this.box.addEventListener('input', () => {
      sessionStorage.setItem(DRAFT_KEY, this.box.value)
      this.fit()
    })
    this.box.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault()
        this.form.requestSubmit()
      }
    })
    this.form.addEventListener('submit', (event) => {
      event.preventDefault()
      const text = this.box.value.trim()
      if (text !== '') onSend(text)
    })
    this.fit()
  }

  /** Takes the text out of the box once it is on its way. */
  clear() {
    this.box.value = ''
    sessionStorage.removeItem(DRAFT_KEY)
    this.fit()
  }

  /** Puts back what was written, when sending it was refused. @param {string} text */
  restore(text) {
    this.box.value = text
    sessionStorage.setItem(DRAFT_KEY, text)
    this.fit()
  }

  focus() {
    this.box.focus()
  }

  /** The box as tall as its text, from one row to the stylesheet's max-height. */
  fit() {
    this.box.style.height = 'auto'
    this.box.style.height = `${this.box.scrollHeight + 2}px`
  }
}
