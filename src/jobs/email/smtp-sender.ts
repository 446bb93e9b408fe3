import { createTransport } from 'nodemailer'
import { ConfigError, InvalidInputError, SystemError } from '../../lib/errors.ts'
import { redactUrl } from '../../lib/logger.ts'

export interface SmtpSenderOptions {
  /** `smtp://` (STARTTLS when offered) or `smtps://` (TLS from the start), with optional `user:pass@`. */
  url: string
  from: { address: string; name?: string }
  /** Bounds the connection, the greeting and any silence on the socket; 30 s by default. */
  timeoutMs?: number
  /** For a relay whose certificate a private authority signed. */
  tls?: { ca?: string | Buffer; rejectUnauthorized?: boolean }
}

export interface OutboundMail {
  /** `<local@domain>`, chosen by the caller and sent as given: a resend carries the same id. */
  messageId: string
  to: string
  subject: string
  text: string
  /** The Message-ID of the message answered; null for the first message of a thread. */
  inReplyTo: string | null
  /**
   * The thread's earlier ids, oldest first: the References of the message answered (or its
   * In-Reply-To when it had no References). `inReplyTo` is appended here, as RFC 5322 3.6.4 says.
   */
  references: string[]
  date?: Date
}

export interface SentMail {
  accepted: string[]
  rejected: string[]
  /** The server's last reply, such as `250 OK: queued as 1234`. */
  response: string
}

export interface SmtpSender {
  /** Rejects with an {@link EmailSendError}, or an InvalidInputError for an ill-formed id. */
  send(mail: OutboundMail): Promise<SentMail>
  /** Closes the pooled connections. */
  close(): void
}

/**
 * The server refused the message for good (`email_rejected`: a 5xx reply other than 503, or an
 * envelope nodemailer could not build), or could not take it now (`email_unavailable`: a 4xx
 * reply, a refused or broken connection, a timeout). `retryable` says which, so the job engine
 * parks a rejected message at once and retries the rest.
 */
export class EmailSendError extends SystemError {
  readonly retryable: boolean
  /** The SMTP reply code, when the server answered. */
  readonly responseCode: number | undefined

  constructor(
    retryable: boolean,
    message: string,
    options: { cause?: unknown; responseCode?: number | undefined } = {},
  ) {
    super(retryable ? 'email_unavailable' : 'email_rejected', message, options)
    this.retryable = retryable
    this.responseCode = options.responseCode
  }
}

const DEFAULT_TIMEOUT_MS = 30_000
/** One `msg-id` of RFC 5322 3.6.4, angle brackets included: what a receiver counts by. */
const MESSAGE_ID = /^<[^<>@\s]+@[^<>@\s]+>$/

export function createSmtpSender(options: SmtpSenderOptions): SmtpSender {
  const { server, timeoutMs } = checkOptions(options)
  const transport = createTransport({
    // A pool keeps a few connections open for a queue of replies instead of one per message.
    pool: true,
    ...server,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
    ...(options.tls === undefined ? {} : { tls: options.tls }),
  })
  const { name, address } = options.from
  const from = name === undefined ? address : { name, address }

  return {
    async send(mail) {
      checkIds(mail)
      try {
        const info = await transport.sendMail({
          from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          messageId: mail.messageId,
          ...(mail.inReplyTo === null ? {} : { inReplyTo: mail.inReplyTo }),
          ...threadReferences(mail),
          ...(mail.date === undefined ? {} : { date: mail.date }),
        })
        return {
          accepted: info.accepted.map(String),
          rejected: info.rejected.map(String),
          response: info.response,
        }
      } catch (error) {
        throw sendError(error)
      }
    },
    close: () => transport.close(),
  }
}

interface SmtpServer {
  host: string
  port?: number
  secure: boolean
  auth?: { user: string; pass: string }
}

function checkOptions(options: SmtpSenderOptions): { server: SmtpServer; timeoutMs: number } {
  const problems: string[] = []
  let server: SmtpServer | undefined
  try {
    server = smtpServer(new URL(options.url), problems)
  } catch {
    // The URL may hold a password: it is never repeated, not even in part.
    problems.push(
      'the SMTP URL cannot be read: expected smtp://user:pass@host:port, special characters percent-encoded',
    )
  }
  if (!/^[^<>@\s]+@[^<>@\s]+$/.test(options.from.address))
    problems.push(`the sender address ${JSON.stringify(options.from.address)} is not an address`)
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
    problems.push(`the SMTP timeout must be a positive number of milliseconds, not ${timeoutMs}`)
  if (server === undefined || problems.length > 0) throw ConfigError.listing(problems)
  return { server, timeoutMs }
}

function smtpServer(url: URL, problems: string[]): SmtpServer {
  const shown = redactUrl(url.href)
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:')
    problems.push(`the SMTP URL ${shown} must start with smtp:// or smtps://`)
  if (url.hostname === '') problems.push(`the SMTP URL ${shown} names no host`)
  // Query settings (nodemailer reads `?tls.rejectUnauthorized=false`) would bypass these options.
  if (url.search !== '' || url.hash !== '')
    problems.push(`the SMTP URL ${shown} takes no query or fragment: use the sender's options`)
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    ...(url.port === '' ? {} : { port: Number(url.port) }),
    secure: url.protocol === 'smtps:',
    // decodeURIComponent throws on a bad escape such as `%zz`: caught as a URL that is not one.
    ...(url.username === ''
      ? {}
      : {
          auth: {
            user: decodeURIComponent(url.username),
            pass: decodeURIComponent(url.password),
          },
        }),
  }
}

/** Nodemailer would wrap an id without brackets in them: the receiver would count another id. */
function checkIds(mail: OutboundMail): void {
  const ids = [mail.messageId, ...(mail.inReplyTo === null ? [] : [mail.inReplyTo])]
  const bad = [...ids, ...mail.references].filter((id) => !MESSAGE_ID.test(id))
  if (bad.length > 0)
    throw new InvalidInputError(`Not a Message-ID of the form <local@domain>: ${bad.join(', ')}`)
}

function threadReferences(mail: OutboundMail): { references?: string[] } {
  const earlier = mail.references.filter((id) => id !== mail.inReplyTo)
  const all = mail.inReplyTo === null ? earlier : [...earlier, mail.inReplyTo]
  return all.length === 0 ? {} : { references: all }
}

/** What nodemailer sets on its errors (its `NodemailerError`). */
interface SmtpFailure {
  code?: string
  response?: string
  responseCode?: number
  /** Set with `responseCode`: a 5xx reply other than 503. */
  permanent?: boolean
}

function sendError(error: unknown): EmailSendError {
  const failure = (typeof error === 'object' && error !== null ? error : {}) as SmtpFailure
  // Without a reply, EENVELOPE is nodemailer refusing the addresses itself: sending again fails again.
  const permanent = failure.permanent ?? failure.code === 'EENVELOPE'
  const detail = failure.response ?? (error instanceof Error ? error.message : String(error))
  return new EmailSendError(
    !permanent,
    permanent
      ? `The SMTP server refused the message: ${detail}`
      : `The SMTP server did not take the message, try again later: ${detail}`,
    { cause: error, responseCode: failure.responseCode },
  )
}
