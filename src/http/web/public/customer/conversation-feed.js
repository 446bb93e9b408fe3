// @ts-check
// An open conversation kept live: what the server's change stream says happened in it (a
// person's reply, a person taking it over or handing it back, a request decided) added to the
// transcript, once each, whoever's page caused it.
import { joinedLine, leftLine, messageItem, requestItem } from './transcript.js'

/** How often, and how long apart, a conversation just started is asked for again. */
const RETRIES = 40
const RETRY_MS = 250

export class ConversationFeed {
  /**
   * @param {import('../api.js').Api} api
   * @param {HTMLElement} transcript
   * @param {HTMLElement} liveState where the page says whether it is live
   * @param {{ reload: () => void, busy: () => boolean }} hooks `reload`: the stream lost its
   *   place, show the conversation as stored; `busy`: a turn of this page is streaming, and
   *   shows its own messages
   */
  constructor(api, transcript, liveState, hooks) {
    this.api = api
    this.transcript = transcript
    this.liveState = liveState
    this.hooks = hooks
    /** @type {string | undefined} */
    this.id = undefined
    /** @type {string | null} who holds the conversation, by subject */
    this.heldBy = null
    /** @type {{ close: () => void } | undefined} */
    this.stream = undefined
    /** @type {ReturnType<typeof setTimeout> | undefined} the next try at a fresh conversation */
    this.retry = undefined
  }

  /**
   * @param {string} id
   * @param {{ fresh?: boolean }} [options] `fresh`: this page's turn has just started the
   *   conversation, which the server stores a moment after it names it: "not found" is asked
   *   again for a few seconds (a Postgres server answers the stream first).
   * @param {number} [tries]
   */
  follow(id, options = {}, tries = 0) {
    this.stream?.close()
    clearTimeout(this.retry)
    this.id = id
    this.stream = this.api.conversationEvents(id, {
      onEvent: (change) => this.change(change),
      onState: (state) => {
        this.liveState.hidden = false
        this.liveState.textContent = state === 'live' ? 'Live' : 'Reconnecting…'
        this.liveState.classList.toggle('down', state !== 'live')
      },
      // A server without the stream yet, or a conversation not one's own: the page works as before.
      onRefused: (status) => {
        if (options.fresh && status === 404 && tries < RETRIES && this.id === id) {
          this.retry = setTimeout(() => this.follow(id, options, tries + 1), RETRY_MS)
          return
        }
        this.liveState.hidden = true
      },
    })
  }

  close() {
    clearTimeout(this.retry)
    this.stream?.close()
    this.stream = undefined
    this.id = undefined
    this.heldBy = null
    this.liveState.hidden = true
  }

  /** @param {import('../api.js').Person} by @returns {boolean} whether this is news here */
  held(by) {
    const news = this.heldBy !== by.sub
    this.heldBy = by.sub
    return news
  }

  /** @param {import('../api.js').ConversationChange} change */
  change(change) {
    if (change.conversationId !== this.id) return
    if (change.kind === 'reset') {
      this.hooks.reload()
      return
    }
    if (change.kind === 'message') {
      const { message } = change
      if (this.transcript.querySelector(`[data-message-id="${message.id}"]`) !== null) return
      if (message.author === null && this.adopt(message.role, message.text, message.id)) return
      // This page's own turns show their messages as they stream; these are anyone else's.
      if (message.author === null && this.hooks.busy()) return
      const { author, at, id } = message
      this.transcript.append(messageItem(message.role, message.text, { author, at, id }))
    } else if (change.kind === 'hold') {
      if (change.held) {
        if (this.held(change.by)) this.transcript.append(joinedLine(change.by))
      } else if (this.heldBy !== null) {
        this.heldBy = null
        this.transcript.append(leftLine(null))
      }
    } else if (change.kind === 'request') {
      const card = requestItem(change.request)
      const shown = this.transcript.querySelector(`[data-request-id="${change.request.id}"]`)
      if (shown === null) this.transcript.append(card)
      else shown.replaceWith(card)
    }
    this.transcript.lastElementChild?.scrollIntoView({ block: 'end' })
  }

  /**
   * The stored copy of a message this page showed as it streamed: the bubble takes its id, and,
   * when a secret was taken out of it (`data-redacted`), the stored text.
   * @param {'user' | 'assistant'} role
   * @param {string} text
   * @param {string} id
   */
  adopt(role, text, id) {
    const bubbles = [
      ...this.transcript.querySelectorAll(`li.message.${role}:not([data-message-id])`),
    ]
    const same = bubbles
      .reverse()
      .find(
        (b) =>
          b instanceof HTMLElement &&
          (b.dataset.redacted === 'true' || b.querySelector('p')?.textContent === text),
      )
    if (!(same instanceof HTMLElement)) return false
    same.dataset.messageId = id
    if (same.dataset.redacted === 'true') {
      delete same.dataset.redacted
      const shown = same.querySelector('p')
      if (shown !== null) shown.textContent = text
    }
    return true
  }
}
