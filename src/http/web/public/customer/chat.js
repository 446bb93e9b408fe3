// @ts-check
// The chat: the conversation list, one conversation's transcript kept live (a person's replies,
// their joining and leaving, decisions on requests), and the turns the user starts by writing or
// by answering a consent card.
import { ApiError } from '../api.js'
import { showAuditTrail } from '../audit-trail.js'
import { byId } from '../dom.js'
import { personName } from '../format.js'
import { chatHref } from '../router.js'
import { Composer } from './composer.js'
import { consentCard } from './consent-card.js'
import { ConversationFeed } from './conversation-feed.js'
import { ConversationList } from './conversation-list.js'
import { LiveTurn } from './live-turn.js'
import { entryItems, joinedLine, messageItem, noteItem, requestItem } from './transcript.js'

export class Chat {
  /** @param {import('../app.js').Context} context */
  constructor(context) {
    this.context = context
    this.api = context.api
    this.transcript = byId('transcript')
    this.title = byId('conversation-title')
    this.showAudit = byId('show-audit')
    this.welcome = byId('welcome')
    /** @type {string | undefined} the open conversation; undefined: a new one */
    this.current = undefined
    this.busy = false
    /** @type {Map<string, HTMLElement>} the open conversation's activity lines still unanswered */
    this.activities = new Map()
    this.list = new ConversationList({
      list: byId('conversation-list'),
      empty: byId('conversation-empty'),
      drawer: byId('drawer'),
      menu: /** @type {HTMLButtonElement} */ (byId('menu')),
      scrim: byId('scrim'),
      close: byId('close-drawer'),
    })
    this.composer = new Composer((text) => this.submit(text))
    this.feed = new ConversationFeed(this.api, this.transcript, byId('live-state'), {
      reload: () => this.reload(),
      busy: () => this.busy,
    })
    this.wire()
  }

  wire() {
    const { domain, me } = this.context
    const first = personName(me).split(/\s+/)[0]
    byId('welcome-title').textContent = me.name
      ? `Hi ${first}, how can we help?`
      : 'How can we help?'
    if (domain?.examplePrompt) {
      const example = byId('example')
      example.textContent = domain.examplePrompt
      example.hidden = false
      example.addEventListener('click', () => {
        this.composer.restore(domain.examplePrompt ?? '')
        this.composer.focus()
      })
    }
    byId('new-conversation').addEventListener('click', () => {
      location.hash = chatHref(undefined)
      this.composer.focus()
    })
    this.showAudit.addEventListener('click', () => {
      if (this.current !== undefined) {
        showAuditTrail(this.api, this.current).catch((e) => this.context.refused(e, this.note))
      }
    })
    this.setBusy(false)
  }

  /** Says something in the transcript, as the assistant's side of the page. */
  note = (/** @type {string} */ text) => {
    this.transcript.append(noteItem(text, 'error'))
    this.welcome.hidden = true
  }

  /** @param {string | undefined} id undefined: a new conversation */
  async open(id) {
    // Shown and followed already; one stopped (the staff console's chat, while hidden) reads
    // its conversation again.
    if (id === this.current && id !== undefined && this.feed.id === id) return
    if (id === undefined) {
      this.show(undefined)
      return
    }
    try {
      const conversation = await this.api.conversation(id)
      this.show(id)
      this.transcript.append(...entryItems(conversation.entries))
      for (const request of conversation.requests ?? [])
        this.transcript.append(requestItem(request))
      for (const approval of conversation.approvals) {
        this.transcript.append(
          consentCard(approval, (decision, reason) => this.decide(approval.id, decision, reason)),
        )
      }
      const held = conversation.held
      if (held && typeof held === 'object' && this.feed.held(held)) {
        this.transcript.append(joinedLine(held))
      }
      this.transcript.lastElementChild?.scrollIntoView({ block: 'end' })
      this.feed.follow(id)
    } catch (error) {
      this.show(id)
      this.context.refused(error, this.note)
    }
  }

  /** @param {string | undefined} id */
  show(id) {
    this.feed.close()
    this.current = id
    this.activities.clear()
    this.transcript.replaceChildren()
    this.showAudit.hidden = id === undefined
    this.welcome.hidden = id !== undefined
    this.title.textContent =
      this.list.mark(id) ?? (id === undefined ? 'New conversation' : 'Conversation')
    if (location.hash !== chatHref(id)) history.replaceState(null, '', chatHref(id))
  }

  async refreshList() {
    try {
      const { conversations } = await this.api.conversations()
      this.list.show(conversations)
      const title = this.list.mark(this.current)
      if (title !== undefined) this.title.textContent = title
    } catch (error) {
      this.context.refused(error, this.note)
    }
  }

  /** @param {string} text */
  submit(text) {
    if (this.busy) return
    if (!this.context.worker.ready) {
      this.note(
        this.context.worker.problem !== undefined
          ? 'The Worker cannot answer until a model is configured: see the note at the top.'
          : 'The assistant is unavailable right now; what you wrote stays in the box.',
      )
      return
    }
    const waiting = this.undecided()
    if (waiting !== null) {
      this.transcript.append(
        noteItem(
          'Approve or reject the request above first; what you wrote stays in the box.',
          'notice',
        ),
      )
      waiting.focus()
      return
    }
    void this.send(text)
  }

  /** @param {string} text */
  async send(text) {
    this.setBusy(true)
    this.welcome.hidden = true
    const mine = messageItem('user', text)
    this.transcript.append(mine)
    mine.scrollIntoView({ block: 'end' })
    this.composer.clear()
    const turn = this.turn()
    try {
      const ending = await this.api.chat(
        { message: text, ...(this.current === undefined ? {} : { conversation_id: this.current }) },
        (event) => {
          if (event.type === 'turn_started' && this.current === undefined) {
            this.opened(event.conversationId)
          }
          // A secret was taken out before the message was stored: the stored copy, when it
          // arrives, replaces what is shown here.
          if (event.type === 'guardrail' && event.action === 'redacted') {
            mine.dataset.redacted = 'true'
          }
          turn.handle(event)
        },
      )
      turn.finish(ending)
      this.undecided()?.focus()
    } catch (error) {
      // Refused before the turn began: the message goes back where it was written.
      mine.remove()
      this.composer.restore(text)
      this.context.refused(error, this.note)
    } finally {
      this.setBusy(false)
      void this.refreshList()
    }
  }

  /** @type {import('./live-turn.js').Decide} */
  decide = async (approvalId, decision, reason) => {
    if (this.busy) throw new Error('wait for the reply in progress to finish')
    this.setBusy(true)
    const turn = this.turn()
    try {
      const input = { decision, ...(reason === '' ? {} : { reason }) }
      const ending = await this.api.decide(approvalId, input, (event) => {
        // The run goes on: the notes that said it was waiting no longer hold.
        if (event.type === 'approval_recorded' && event.waiting === 0) {
          for (const note of this.transcript.querySelectorAll('.waiting')) note.remove()
        }
        turn.handle(event)
      })
      turn.finish(ending)
      ;(this.undecided() ?? this.composer).focus()
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) this.context.refused(error)
      throw error
    } finally {
      this.setBusy(false)
      void this.refreshList()
    }
  }

  turn() {
    return new LiveTurn(
      this.transcript,
      { decide: this.decide, reload: () => this.reload() },
      this.activities,
    )
  }

  reload() {
    const id = this.current
    this.current = undefined
    void this.open(id)
  }

  /**
   * A new conversation has its id: it becomes the open one, and the address names it.
   * @param {string} id
   */
  opened(id) {
    this.current = id
    history.replaceState(null, '', chatHref(id))
    this.showAudit.hidden = false
    this.feed.follow(id, { fresh: true })
  }

  /** The first button of the first request still waiting for a decision here, if any. */
  undecided() {
    const selector = '.approval:not(.decided):not(.deciding) .actions button'
    return /** @type {HTMLButtonElement | null} */ (this.transcript.querySelector(selector))
  }

  /** @param {boolean} value */
  setBusy(value) {
    this.busy = value
    this.composer.send.disabled = value || !this.context.worker.ready
    this.transcript.setAttribute('aria-busy', String(value))
  }

  stop() {
    this.feed.close()
  }
}
