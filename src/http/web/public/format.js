// @ts-check
// Dates, ages and people as the page words them, and the round badge that stands for a person.
import { el } from './dom.js'

/** @param {string | null | undefined} iso */
export function when(iso) {
  if (!iso) return ''
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
}

/** A day and time, short: "5 Mar, 14:02", or the time alone today. @param {string} iso */
export function shortWhen(iso) {
  const at = new Date(iso)
  const today = new Date().toDateString() === at.toDateString()
  return today
    ? at.toLocaleTimeString(undefined, { timeStyle: 'short' })
    : at.toLocaleString(undefined, {
        day: 'numeric',
        month: 'short',
        hour: '2-digit',
        minute: '2-digit',
      })
}

/**
 * How long ago, as a person says it: "just now", "4 min", "3 h", "2 d".
 * @param {string} iso
 * @param {number} [now]
 */
export function age(iso, now = Date.now()) {
  const minutes = Math.floor((now - new Date(iso).getTime()) / 60_000)
  if (minutes < 1) return 'just now'
  if (minutes < 60) return `${minutes} min`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `${hours} h`
  return `${Math.floor(hours / 24)} d`
}

/**
 * Up to two letters for a name or an email: "Maya Okafor" → "MO", "sam@x" → "S".
 * @param {string} name
 */
export function initials(name) {
  const words = name
    .replace(/@.*/, '')
    .replace(/\(.*?\)/g, '')
    .split(/[\s._-]+/)
    .filter((w) => /\p{L}/u.test(w))
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words.slice(0, 1)
  return letters.map((w) => (w ?? '').charAt(0).toUpperCase()).join('') || '?'
}

/**
 * A round badge for whoever speaks: the assistant (a mark of its own), a person of the team, or
 * the user themself.
 * @param {'assistant' | 'staff' | 'user'} kind
 * @param {string} [name]
 */
export function avatar(kind, name = '') {
  return el(
    'span',
    { class: `avatar ${kind}`, 'aria-hidden': 'true' },
    kind === 'assistant' ? '✦' : initials(name),
  )
}

/**
 * The name a person goes by: their display name without the parenthesised role the development
 * sign-in adds, else their email, else their subject.
 * @param {{ name?: string | null, email?: string | null, sub?: string }} person
 */
export function personName(person) {
  const name = person.name?.replace(/\s*\(.*\)\s*$/, '').trim()
  return name || person.email || person.sub || 'Someone'
}
