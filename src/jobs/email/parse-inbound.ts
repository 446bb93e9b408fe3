import { createHash } from 'node:crypto'
import { type AddressObject, type EmailAddress, type ParsedMail, simpleParser } from 'mailparser'
import { CallerError } from '../../lib/errors.ts'
import { newContent } from './new-content.ts'

/**
 * The most text of a body kept, cut before quoted history is looked for: it bounds the work of
 * that search as well as what a turn reads. A reply's own words rarely come near it.
 */
export const MAX_TEXT_CHARS = 20_000

export interface InboundLimits {
  /** Larger messages are refused before they are parsed. */
  maxBytes: number
  /** To and Cc together keep at most this many addresses, To first. */
  maxRecipients: number
}

export interface InboundEmail {
  /** The Message-ID header, `<id@host>`; without one, `<sha256 of the bytes@missing-message-id.invalid>`. */
  messageId: string
  inReplyTo: string | null
  references: string[]
  /** The author as the message claims it: not a verified identity. */
  from: { address: string; name: string | null }
  /** Recorded only: replies never go to it. */
  replyTo: string | null
  to: string[]
  cc: string[]
  /** How many To and Cc addresses past `maxRecipients` were dropped. */
  recipientsTrimmed: number
  subject: string
  /** What the sender wrote this time: the plain text part, else the HTML as text, bounded. */
  text: string
  /** Characters of quoted history and signature left out of `text`. */
  quotedChars: number
  /** Characters of the body past `MAX_TEXT_CHARS`, left out of `text`. */
  truncatedChars: number
  /** The Date header; null when missing or unreadable. */
  date: Date | null
  /** What was attached; the content is not kept. */
  attachments: Array<{ filename: string | null; contentType: string; size: number }>
}

/**
 * An inbound message, read with `mailparser`: refused when too large or not an email (no header,
 * no From address), kept as far as it is readable otherwise (a part that cannot be decoded does
 * not cost the text of the others). Addresses are lower-cased.
 */
export async function parseInbound(raw: Buffer, limits: InboundLimits): Promise<InboundEmail> {
  if (raw.length > limits.maxBytes) {
    throw new CallerError(
      'email_too_large',
      `The message is ${raw.length} bytes, over the limit of ${limits.maxBytes} bytes.`,
    )
  }
  const mail = await read(raw)
  if (mail.headers.size === 0) {
    throw new CallerError('email_malformed', 'The message has no header: it is not an email.')
  }
  const author = addresses(mail.from)[0]
  if (author === undefined) {
    throw new CallerError('email_malformed', 'The message has no From address.')
  }
  const recipients = trimmed(
    addresses(mail.to).map((a) => a.address),
    addresses(mail.cc).map((a) => a.address),
    limits.maxRecipients,
  )
  const body = mail.text ?? ''
  const bounded = cut(body, MAX_TEXT_CHARS)
  const content = newContent(bounded)
  return {
    messageId: wellFormed(present(mail.messageId)) ?? missingMessageId(raw),
    inReplyTo: wellFormed(present(mail.inReplyTo)) ?? null,
    references: [mail.references ?? []]
      .flat()
      .flatMap((id) => wellFormed(id) ?? [])
      .slice(-50),
    from: { address: author.address, name: clean(author.name) || null },
    replyTo: addresses(mail.replyTo)[0]?.address ?? null,
    ...recipients,
    subject: clean(mail.subject ?? '').slice(0, 998),
    text: clean(content.text),
    quotedChars: content.removedChars,
    truncatedChars: body.length - bounded.length,
    date: dateHeader(mail),
    attachments: mail.attachments.map((a) => ({
      filename: a.filename ?? null,
      contentType: a.contentType,
      size: a.size,
    })),
  }
}

async function read(raw: Buffer): Promise<ParsedMail> {
  try {
    // No HTML version of the text, and inline images left as `cid:` links: neither is kept.
    return await simpleParser(raw, { skipTextToHtml: true, keepCidLinks: true })
  } catch (error) {
    throw new CallerError('email_malformed', 'The message could not be read as an email.', {
      cause: error,
    })
  }
}

/** The mailboxes of address headers, group members included, those without an address left out. */
function addresses(
  header: AddressObject | AddressObject[] | undefined,
): Array<{ address: string; name: string }> {
  const mailboxes = (list: EmailAddress[]): EmailAddress[] =>
    list.flatMap((a) => (a.group ? mailboxes(a.group) : [a]))
  return mailboxes([header ?? []].flat().flatMap((h) => h.value)).flatMap((a) =>
    a.address ? [{ address: a.address.toLowerCase(), name: a.name }] : [],
  )
}

function trimmed(to: string[], cc: string[], max: number) {
  const keptTo = to.slice(0, max)
  const keptCc = cc.slice(0, max - keptTo.length)
  return {
    to: keptTo,
    cc: keptCc,
    recipientsTrimmed: to.length + cc.length - keptTo.length - keptCc.length,
  }
}

/** The first `max` characters, one fewer rather than half a surrogate pair. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text
  const end = /[\uD800-\uDBFF]/.test(text.charAt(max - 1)) ? max - 1 : max
  return text.slice(0, end)
}

/** mailparser gives `false` for an empty Message-ID or In-Reply-To, whatever its types say. */
function present(value: string | false | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

/**
 * A Message-ID we can store and repeat in a reply's headers: `<local@domain>`, no spaces or angle
 * brackets inside, of a sane length. Anything else is left out (a reply threads by the token
 * instead), and a bad Message-ID of the email itself is replaced by one derived from its bytes.
 */
function wellFormed(id: string | undefined): string | undefined {
  return id !== undefined && /^<[^<>\s@]{1,200}@[^<>\s@]{1,200}>$/.test(id) ? id : undefined
}

/** Text Postgres can store: no NUL characters (a header may encode them). */
function clean(text: string): string {
  return text.replaceAll('\u0000', '')
}

/** Derived from the bytes, so that the same message delivered twice is known as one. */
function missingMessageId(raw: Buffer): string {
  return `<${createHash('sha256').update(raw).digest('hex')}@missing-message-id.invalid>`
}

/** The Date header read as mailparser reads it, but null where mailparser puts the present time. */
function dateHeader(mail: ParsedMail): Date | null {
  const line = mail.headerLines.find((h) => h.key === 'date')?.line
  if (line === undefined) return null
  const date = new Date(
    line
      .slice(line.indexOf(':') + 1)
      .replace(/\s+/g, ' ')
      .trim(),
  )
  return Number.isNaN(date.getTime()) ? null : date
}
