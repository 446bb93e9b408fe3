/**
 * Takes the people out of a past case's text, so the case can serve anyone as a precedent: emails,
 * phone numbers and long card or reference numbers by their shape; ticket and order numbers by
 * their shape (T-1042, #4429, "order 4429") or because the database holds that order; and the
 * names of known customers. Each becomes a placeholder that says what was there.
 */
export const PLACEHOLDER = {
  customer: '[customer]',
  email: '[email]',
  phone: '[phone]',
  number: '[number]',
  order: '[order]',
  ticket: '[ticket]',
} as const

/** What the database knows that the text may contain (see `known-identifiers.ts`). */
export interface KnownIdentifiers {
  /** Customers' full names of two words or more, as `nameKey` writes them. */
  names: ReadonlySet<string>
  /** Order numbers (public ids) the database holds. */
  orders: ReadonlySet<string>
}

export const NOTHING_KNOWN: KnownIdentifiers = { names: new Set(), orders: new Set() }

/** Full names are matched over runs of up to this many words. */
const MAX_NAME_WORDS = 4

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu
const TICKET = /\bT-\d{1,12}\b/gi
const HASH_ORDER = /#\s?\d{3,12}\b/g
const WORD_ORDER = /\b(orders?\s+(?:no\.?\s*|number\s+|#\s*)?)\d{3,12}\b/gi
// A run of digits with the separators phone numbers are written with, not part of an amount.
const DIGIT_RUN = /(?<![\p{L}\p{N}$£€.,])\+?\(?\d[\d ().-]{5,}\d(?![\p{L}\p{N}]|[.,]\d)/gu
const BARE_NUMBER = /(?<![\p{L}\p{N}$£€.,#-])\d{4,12}(?![\p{L}\p{N}]|[.,]\d)/gu
const WORD = /[\p{L}\p{M}]+/gu

/** A name as the lookup compares it: lower case, single spaces. */
export function nameKey(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase()
}

/**
 * `own` is the full name of the case's own customer: besides the full name, each of its words is
 * taken out too (as written, capitalised), as a customer's own ticket may call them by one name.
 * One-word names of other customers are left alone: a single word does not identify a person and
 * would take ordinary words out of every case.
 */
export function scrubPersonalData(text: string, known: KnownIdentifiers, own?: string): string {
  const shaped = text
    .replace(EMAIL, PLACEHOLDER.email)
    .replace(TICKET, PLACEHOLDER.ticket)
    .replace(HASH_ORDER, PLACEHOLDER.order)
    .replace(WORD_ORDER, (_, prefix: string) => `${prefix}${PLACEHOLDER.order}`)
    .replace(DIGIT_RUN, digitRun)
    .replace(BARE_NUMBER, (n) => (known.orders.has(n) ? PLACEHOLDER.order : n))
  return scrubNames(shaped, known.names, own)
}

function digitRun(run: string): string {
  const digits = run.replace(/\D/g, '').length
  const bare = run.replace(/^\(/, '')
  // Dates (2026-11-04) and ranges of years (1999-2024) are written with the same characters.
  if (digits < 7 || /^\d{4}-\d{2}-\d{2}$/.test(bare) || /^\d{4} ?- ?\d{4}$/.test(bare)) return run
  return digits <= 15 ? PLACEHOLDER.phone : PLACEHOLDER.number
}

function scrubNames(text: string, names: ReadonlySet<string>, own: string | undefined): string {
  const ownNames = new Set(names)
  const ownWords = new Set<string>()
  if (own !== undefined) {
    ownNames.add(nameKey(own))
    for (const [word] of own.matchAll(WORD)) if (word.length >= 2) ownWords.add(word)
  }
  const words = [...text.matchAll(WORD)].map((m) => ({
    word: m[0],
    start: m.index,
    end: m.index + m[0].length,
  }))
  let out = ''
  let from = 0
  for (let i = 0; i < words.length; i++) {
    const first = words[i]
    if (first === undefined) break
    let end: number | undefined
    let skip = 0
    for (let n = Math.min(MAX_NAME_WORDS, words.length - i); n >= 2 && end === undefined; n--) {
      const last = words[i + n - 1]
      if (last !== undefined && ownNames.has(nameKey(text.slice(first.start, last.end)))) {
        end = last.end
        skip = n - 1
      }
    }
    if (end === undefined && ownWords.has(first.word)) end = first.end
    if (end === undefined) continue
    out += text.slice(from, first.start) + PLACEHOLDER.customer
    from = end
    i += skip
  }
  return out + text.slice(from)
}

/**
 * The runs of two or more words that could be a customer's full name, for the lookup, in their own
 * case: the database lowers them as it lowers the names it compares them with.
 */
export function nameCandidates(text: string): string[] {
  const words = [...text.matchAll(WORD)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
  }))
  const keys = new Set<string>()
  words.forEach((first, i) => {
    for (let n = 2; n <= MAX_NAME_WORDS && i + n - 1 < words.length; n++) {
      const last = words[i + n - 1]
      if (last !== undefined) keys.add(text.slice(first.start, last.end).replace(/\s+/g, ' '))
    }
  })
  return [...keys]
}

/** The bare numbers that could be an order number, for the lookup. */
export function orderCandidates(text: string): string[] {
  return [...new Set(Array.from(text.matchAll(BARE_NUMBER), (m) => m[0]))]
}
