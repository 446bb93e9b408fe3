import { visibleText } from './visible-text.ts'

/** Outlook's separator above the message replied to, in any case and dash count. */
const ORIGINAL_MESSAGE = /^\s*-{2,}\s*original message\s*-{2,}\s*$/i
/** Outlook's header block of the message replied to starts with `From:` then `Sent:` (or `Date:`). */
const QUOTED_FROM = /^\s*From:\s*\S/
const QUOTED_SENT = /^\s*(Sent|Date):\s*\S/

export interface NewContent {
  /** What the sender wrote this time. */
  text: string
  /** How many characters of the input were left out: quoted history, signature, blank ends. */
  removedChars: number
}

/**
 * The new part of an email's text: without the quoted history (`>` lines, "On … wrote:", Outlook's
 * "-----Original Message-----" and "From: … Sent: …" blocks) and the signature ("-- ", "Sent
 * from my iPhone"). `email-reply-parser` does most of it; it misses Outlook's blocks when no blank
 * line stands above them or when the `From:` line has no `<address>`, so those are cut here
 * first. A message that would be left empty (a forward, a reply made only of the
 * quote) is kept whole: dropping it would lose all the sender sent.
 */
export function newContent(text: string): NewContent {
  const whole = text.replace(/\r\n?/g, '\n')
  const visible = visibleText(withoutOutlookHistory(whole)).trim()
  const kept = visible === '' ? whole.trim() : visible
  return { text: kept, removedChars: whole.length - kept.length }
}

/** The text above the first Outlook history block, or all of it when there is none. */
function withoutOutlookHistory(text: string): string {
  const lines = text.split('\n')
  const start = lines.findIndex(
    (line, i) =>
      ORIGINAL_MESSAGE.test(line) ||
      (QUOTED_FROM.test(line) && QUOTED_SENT.test(lines[i + 1] ?? '')),
  )
  return start === -1 ? text : lines.slice(0, start).join('\n')
}
