// @ts-check
// Any customer's conversation in full, for staff: its messages and steps, its requests with their
// decisions, who holds it (take over, reply, hand back), and its audit trail with every guardrail
// trip. It follows the conversation's stream and reads it again whenever something happened.
import { timelineItem } from '../audit-trail.js'
import { el } from '../dom.js'
import { personName } from '../format.js'
import { fullTranscript } from './full-transcript.js'
import { handoffBar } from './handoff-bar.js'
import { explain, pageFrame } from './page-state.js'
import { requestDecision } from './request-decision.js'
import { staffApi } from './staff-api.js'

/** @type {import('./staff-app.js').PageFactory} */
export function render(context, root, route) {
  /** @type {string} */
  const id = route.id
  const staff = staffApi(context.api)
  const { head, body } = pageFrame(root, 'Conversation')
  const live = el('span', { class: 'live-state', hidden: '' })
  head.append(live)
  let stopped = false
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let pending

  async function load() {
    try {
      const [conversation, trail, listed] = await Promise.all([
        context.api.conversation(id),
        context.api.audit(id).catch(() => ({ events: [] })),
        staff.conversations(200).catch(() => ({ conversations: [] })),
      ])
      if (stopped) return
      const about = listed.conversations.find((c) => c.id === id)
      const title = /** @type {HTMLElement} */ (head.querySelector('.page-title'))
      title.textContent = about?.title || 'Conversation'
      const held = heldBy(conversation.held ?? null, about?.held ?? null)
      const customer = about?.customer ? personName(about.customer) : null
      const steps = el('ol', { class: 'full-transcript' }, ...fullTranscript(conversation.entries))
      const requests = (conversation.requests ?? []).map((request) =>
        requestDecision(request, async (decision, reason) => {
          await staff.decideRequest(request.id, decision, reason)
          await load()
        }),
      )
      const audit = el(
        'ol',
        { class: 'timeline' },
        ...trail.events.map((event) => {
          const item = timelineItem(event)
          if (event.kind === 'audit' && event.action.includes('guardrail'))
            item.classList.add('guardrail')
          return item
        }),
      )
      // What staff were writing survives the page being read again under it.
      const box = /** @type {HTMLTextAreaElement | null} */ (body.querySelector('#staff-reply'))
      const draft = box?.value ?? ''
      const typing = box !== null && document.activeElement === box
      body.replaceChildren(
        el(
          'div',
          { class: 'conversation-detail' },
          el(
            'section',
            { class: 'detail-main', 'aria-label': 'Messages and steps' },
            el(
              'p',
              { class: 'quiet' },
              customer === null ? '' : `Customer: ${customer} · `,
              el('a', { href: '#/conversations' }, 'All conversations'),
            ),
            handoffBar(
              { held, me: context.me.sub, myName: personName(context.me) },
              {
                takeover: async () => {
                  await staff.takeover(id)
                  await load()
                },
                release: async () => {
                  await staff.release(id)
                  await load()
                },
                reply: async (text) => {
                  await staff.reply(id, text)
                  await load()
                },
              },
            ),
            ...requests,
            steps,
          ),
          el(
            'section',
            { class: 'detail-audit', 'aria-labelledby': 'detail-audit-title' },
            el('h3', { id: 'detail-audit-title' }, 'Audit trail'),
            audit,
          ),
        ),
      )
      const again = /** @type {HTMLTextAreaElement | null} */ (body.querySelector('#staff-reply'))
      if (again !== null) {
        again.value = draft
        if (typing) again.focus()
      }
    } catch (error) {
      explain(context, body, error)
    }
  }

  void load()
  const stream = context.api.conversationEvents(id, {
    onEvent: () => {
      clearTimeout(pending)
      pending = setTimeout(() => void load(), 150)
    },
    onState: (state) => {
      live.hidden = false
      live.textContent = state === 'live' ? 'Live' : 'Reconnecting…'
      live.classList.toggle('down', state !== 'live')
    },
    onRefused: () => {
      live.hidden = true
    },
  })
  return {
    stop: () => {
      stopped = true
      stream.close()
      clearTimeout(pending)
    },
  }
}

/**
 * Who holds the conversation, from its own answer or the staff listing's.
 * @param {boolean | import('../api.js').Person | null} detail
 * @param {import('../api.js').Person | null} listed
 * @returns {import('../api.js').Person | null}
 */
function heldBy(detail, listed) {
  if (detail !== null && typeof detail === 'object') return detail
  if (detail === false) return null
  return listed ?? (detail === true ? { sub: '', name: 'A person' } : null)
}
