// @ts-check
// A conversation as staff read it: every message with who wrote it, and every step between them,
// each tool call with its arguments and its result, each skill the Worker activated.
import { el } from '../dom.js'
import { avatar, personName, shortWhen } from '../format.js'

/** `name({...})`, as a stored call reads, split into its name and its arguments. @param {string} content */
function parseCall(content) {
  const open = content.indexOf('(')
  const name = open < 0 ? content : content.slice(0, open)
  try {
    return { name, args: JSON.parse(content.slice(open + 1, -1)) }
  } catch {
    return { name, args: content.slice(open + 1, -1) }
  }
}

/** @param {unknown} value */
function pretty(value) {
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2)
}

/** @param {import('../api.js').Entry} entry */
function messageRow(entry) {
  const author = entry.author ?? null
  const kind = entry.role === 'user' ? 'customer' : author ? 'staff' : 'worker'
  const who = kind === 'customer' ? 'Customer' : author ? `${personName(author)} (staff)` : 'Worker'
  return el(
    'li',
    { class: `step message-step ${kind}` },
    avatar(kind === 'customer' ? 'user' : kind === 'staff' ? 'staff' : 'assistant', who),
    el(
      'div',
      { class: 'step-body' },
      el(
        'p',
        { class: 'step-meta' },
        el('strong', {}, who),
        el('time', { datetime: entry.createdAt }, ` · ${shortWhen(entry.createdAt)}`),
      ),
      el('p', { class: 'step-text' }, entry.content),
    ),
  )
}

/**
 * @param {import('../api.js').Entry[]} entries
 * @returns {HTMLElement[]}
 */
export function fullTranscript(entries) {
  /** @type {HTMLElement[]} */
  const rows = []
  /** @type {HTMLElement | undefined} the last call, where its result goes */
  let call
  for (const entry of entries) {
    if (entry.kind === 'tool_call') {
      const { name, args } = parseCall(entry.content)
      if (name === 'activate_skill') {
        const skill = typeof args === 'object' && args !== null ? String(args.name ?? '') : ''
        call = el(
          'li',
          { class: 'step skill-step' },
          el('span', { class: 'step-icon' }, '◆'),
          el('span', {}, 'Skill ', el('code', {}, skill)),
        )
      } else {
        call = el(
          'li',
          { class: 'step tool-step' },
          el('span', { class: 'step-icon' }, '→'),
          el(
            'div',
            { class: 'step-body' },
            el(
              'p',
              { class: 'step-meta' },
              el('code', {}, name),
              el('time', { datetime: entry.createdAt }, ` · ${shortWhen(entry.createdAt)}`),
            ),
            el('pre', { class: 'arguments' }, pretty(args)),
          ),
        )
      }
      rows.push(call)
    } else if (entry.kind === 'tool_result') {
      const result = el(
        'details',
        { class: 'result' },
        el('summary', {}, firstLine(entry.content)),
        el('pre', {}, entry.content),
      )
      if (call !== undefined && !call.classList.contains('skill-step')) {
        call.querySelector('.step-body')?.append(result)
      } else if (call === undefined) {
        rows.push(el('li', { class: 'step tool-step' }, result))
      }
      call = undefined
    } else if (entry.role === 'user' || entry.role === 'assistant') {
      rows.push(messageRow(entry))
      call = undefined
    }
  }
  return rows
}

/** @param {string} text */
function firstLine(text) {
  const line = text.trim().split('\n')[0] ?? ''
  return `Result: ${line.length > 120 ? `${line.slice(0, 119)}…` : line}`
}
