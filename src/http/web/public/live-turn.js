// @ts-check
// One turn as it streams in: the reply grows word by word, and every tool call, skill, approval
// request, guardrail or error takes a line of its own where it happened.
import {
  approvalItem,
  el,
  messageItem,
  noteItem,
  skillItem,
  toolCallItem,
  toolResultItem,
} from './view.js'

/** @typedef {(approvalId: string, decision: 'approve' | 'reject', reason: string) => Promise<void>} Decide */

export class LiveTurn {
  /**
   * @param {HTMLElement} transcript
   * @param {Decide} decide what an approval's buttons do
   * @param {() => void} reload shows the conversation as stored (after a dropped connection)
   */
  constructor(transcript, decide, reload) {
    this.transcript = transcript
    this.decide = decide
    this.reload = reload
    /** @type {HTMLElement | undefined} the reply being streamed */
    this.reply = undefined
  }

  /** @param {import('./api.js').TurnEvent} event */
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
      case 'tool_call':
        this.add(toolCallItem(event.name, event.arguments))
        break
      case 'tool_result':
        // Skill tools answer with skill text: the skill's line already says what happened.
        if (event.summary !== '' || event.status === 'error') {
          this.add(toolResultItem(event.name, event.status, event.summary))
        }
        break
      case 'skill_activated':
        this.add(skillItem(event.name))
        break
      case 'approval_requested':
        this.add(
          approvalItem(
            { id: event.approvalId, tool: event.tool, summary: event.summary },
            (decision, reason) => this.decide(event.approvalId, decision, reason),
          ),
        )
        break
      case 'guardrail':
        this.add(
          noteItem(`Guardrail (${event.guardrail}, ${event.action}): ${event.detail}`, 'notice'),
        )
        break
      case 'error':
        this.add(noteItem(event.message, 'error'))
        break
      case 'turn_ended':
        this.closeReply()
        if (event.status === 'paused') {
          const note = noteItem(
            'Waiting for your decision above before the Worker goes on.',
            'notice',
          )
          note.classList.add('waiting')
          this.add(note)
        }
        break
      default:
        break
    }
    this.transcript.lastElementChild?.scrollIntoView({ block: 'end' })
  }

  /** @param {'done' | 'cut'} ending */
  finish(ending) {
    this.closeReply()
    if (ending === 'done') return
    const reload = el('button', { type: 'button' }, 'Show the stored conversation')
    reload.addEventListener('click', () => this.reload())
    const item = noteItem(
      'The connection dropped before the reply ended. The Worker finishes the turn anyway and stores it. ',
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

  /** @param {HTMLElement} item */
  add(item) {
    this.closeReply()
    this.transcript.append(item)
  }
}
