// @ts-check
// One turn as it streams in, in the customer's words: the reply grows as it is written; each tool
// call is a plain activity line ("Looking up order #4429…") ticked when done; consent requests are
// cards. Tool names, arguments and raw results stay in the staff view and the audit trail.
import { el } from '../dom.js'
import { consentCard } from './consent-card.js'
import { activityItem, messageItem, noteItem, settleActivity } from './transcript.js'

/** @typedef {(approvalId: string, decision: 'approve' | 'reject', reason: string) => Promise<void>} Decide */

/** Tools of the skill runtime: the skill's own line would say nothing a customer needs. */
const SKILL_TOOLS = new Set(['activate_skill', 'read_skill_resource', 'run_skill_script'])

export class LiveTurn {
  /**
   * @param {HTMLElement} transcript
   * @param {{ decide: Decide, reload: () => void }} hooks `reload` shows the conversation as
   *   stored (after a dropped connection)
   * @param {Map<string, HTMLElement>} activities activity lines by call id, until their result:
   *   the conversation's, since a call that waited for a decision answers in the next turn
   */
  constructor(transcript, hooks, activities) {
    this.transcript = transcript
    this.hooks = hooks
    this.activities = activities
    /** @type {HTMLElement | undefined} the reply being streamed */
    this.reply = undefined
  }

  /** @param {import('../api.js').TurnEvent} event */
  handle(event) {
    switch (event.type) {
      case 'text_delta':
        this.replyText().textContent += event.delta
        break
      case 'message':
        // The whole final reply: what the grounding check let through, stored as shown.
        this.replyText().textContent = event.text
        this.closeReply()
        break
      case 'tool_call': {
        if (SKILL_TOOLS.has(event.name)) break
        const line = activityItem(event.activity || 'Working on it…')
        this.activities.set(event.callId, line)
        this.add(line)
        break
      }
      case 'tool_result': {
        const line = this.activities.get(event.callId)
        if (line !== undefined) settleActivity(line, event.status)
        this.activities.delete(event.callId)
        break
      }
      case 'approval_requested':
        this.add(
          consentCard(
            { id: event.approvalId, tool: event.tool, summary: event.summary },
            (decision, reason) => this.hooks.decide(event.approvalId, decision, reason),
          ),
        )
        break
      case 'held':
        // A person took over while the assistant was answering: its half-written reply goes.
        // The event names them by subject only; the conversation's stream says who joined, by
        // name, once.
        this.reply?.remove()
        this.reply = undefined
        this.settleAll()
        break
      case 'error':
        this.add(noteItem(event.message, 'error'))
        break
      case 'turn_ended':
        this.closeReply()
        this.settleAll()
        if (event.status === 'paused') {
          const note = noteItem('Waiting for your decision above before going on.', 'notice')
          note.classList.add('waiting')
          this.add(note)
        }
        break
      default:
        // skill_activated, guardrail, approval_recorded: the staff view's and the audit trail's.
        break
    }
    this.transcript.lastElementChild?.scrollIntoView({ block: 'end' })
  }

  /** @param {'done' | 'cut'} ending */
  finish(ending) {
    this.closeReply()
    this.settleAll()
    if (ending === 'done') return
    const reload = el('button', { type: 'button', class: 'link-button' }, 'Show the conversation')
    reload.addEventListener('click', () => this.hooks.reload())
    const item = noteItem(
      'The connection dropped before the reply ended. The assistant finishes anyway and keeps it. ',
      'error',
    )
    item.append(reload)
    this.add(item)
  }

  replyText() {
    if (this.reply === undefined) {
      this.reply = messageItem('assistant', '')
      this.reply.setAttribute('aria-busy', 'true')
      this.transcript.append(this.reply)
    }
    return /** @type {HTMLElement} */ (this.reply.querySelector('p'))
  }

  closeReply() {
    this.reply?.setAttribute('aria-busy', 'false')
    this.reply = undefined
  }

  /**
   * The turn ended (or was taken over) with calls unanswered: no spinner while nothing runs. A
   * call waiting for a decision is still ticked when its result comes, in a later turn.
   */
  settleAll() {
    for (const line of this.activities.values()) line.classList.remove('working')
  }

  /** @param {HTMLElement} item */
  add(item) {
    this.closeReply()
    this.transcript.append(item)
  }
}
