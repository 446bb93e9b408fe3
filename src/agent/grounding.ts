/**
 * The fail-closed rule, enforced on the way out: a reply may name an identifier or an amount only
 * if this turn's tool results (or the user's own message) contain it. Identifiers are `#`-numbers,
 * numbers of three or more digits, and letter-dash-number ids (T-1042); amounts are currency
 * figures ($49, 49.00 USD). Comparison is by value: "$129" is grounded by "129.00". A program's
 * word for a missing value (`undefined`, `null`, `NaN`, `[object Object]`) is never grounded,
 * whatever the sources say: it is what a missing id looks like once printed.
 */
export interface GroundingResult {
  ok: boolean
  /** The mentions no source grounds, as written in the reply. */
  ungrounded: string[]
}

const ID = /[A-Za-z]{1,6}-\d{2,}|#\s?\d+|\b\d{3,}\b/g
// Case-sensitive: "Null" or "nan" in prose are not a program's.
const MISSING_VALUE = /\b(?:undefined|null|NaN)\b|\[object Object\]/g
// Grouped figures ($4,800.00) first, with at least one group: else "$4800.00" would be read as "$480".
const AMOUNT =
  /[$€£]\s?\d{1,3}(?:,\d{3})+(?:\.\d+)?|[$€£]\s?\d+(?:\.\d+)?|\b\d+(?:\.\d+)?\s?(?:USD|EUR|GBP|dollars?)\b/gi

export class GroundingSources {
  private readonly digitRuns = new Set<string>()
  private readonly ids = new Set<string>()
  private readonly amounts = new Set<number>()

  constructor(texts: Iterable<string> = []) {
    for (const text of texts) this.add(text)
  }

  add(text: string): void {
    for (const run of text.match(/\d+/g) ?? []) this.digitRuns.add(run.replace(/^0+(?=\d)/, ''))
    for (const id of text.match(/[A-Za-z]{1,6}-\d+/g) ?? []) this.ids.add(id.toUpperCase())
    for (const figure of text.match(/\d[\d,]*(?:\.\d+)?/g) ?? []) {
      const value = Number(figure.replaceAll(',', ''))
      if (Number.isFinite(value)) {
        this.amounts.add(round(value))
        // Integer cents (amount_cents: 12900) ground the dollar figure too.
        if (Number.isInteger(value)) this.amounts.add(round(value / 100))
      }
    }
  }

  check(reply: string): GroundingResult {
    const ungrounded: string[] = []
    for (const match of reply.matchAll(AMOUNT)) {
      const value = Number(match[0].replace(/[^\d.]/g, ''))
      if (!this.amounts.has(round(value))) ungrounded.push(match[0].trim())
    }
    for (const match of reply.matchAll(MISSING_VALUE)) ungrounded.push(match[0])
    const withoutAmounts = reply.replace(AMOUNT, ' ')
    for (const match of withoutAmounts.matchAll(ID)) {
      const mention = match[0]
      const grounded = /^[A-Za-z]/.test(mention)
        ? this.ids.has(mention.toUpperCase())
        : this.digitRuns.has(mention.replace(/\D/g, '').replace(/^0+(?=\d)/, ''))
      if (!grounded) ungrounded.push(mention)
    }
    return { ok: ungrounded.length === 0, ungrounded: [...new Set(ungrounded)] }
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100
}

/** What the stream asks of a message's text so far: may it be shown? */
export interface ReplyCheck {
  check(text: string): { ok: boolean }
}

/**
 * Streams a reply's text through the output checks: text is let out a word at a time, once the
 * word is whole, and nothing more after the first word that fails them. Each word is checked with
 * the message's text before it, so a claim made over several words ("I have … done") is seen.
 */
export class GroundedStream {
  private pending = ''
  /** The current message's text let out so far. */
  private shown = ''
  private blocked = false
  private readonly checker: ReplyCheck

  constructor(checker: ReplyCheck) {
    this.checker = checker
  }

  get isBlocked(): boolean {
    return this.blocked
  }

  /** The part of `delta` (with what was held back) that is safe to show now. */
  push(delta: string): string {
    if (this.blocked) return ''
    this.pending += delta
    const cut = this.pending.search(/\s(?=\S*$)/)
    if (cut < 0) return ''
    return this.release(cut + 1)
  }

  /** The rest, at the end of a message: the next one (after tool calls) starts afresh. */
  end(): string {
    const rest = this.blocked ? '' : this.release(this.pending.length)
    this.shown = ''
    return rest
  }

  private release(length: number): string {
    const ready = this.pending.slice(0, length)
    if (!this.checker.check(this.shown + ready).ok) {
      this.blocked = true
      this.pending = ''
      return ''
    }
    this.pending = this.pending.slice(length)
    this.shown += ready
    return ready
  }
}
