import type { AddressInfo } from 'node:net'
import {
  SMTPServer,
  type SMTPServerAddress,
  type SMTPServerDataStream,
  type SMTPServerEnvelope,
  type SMTPServerSession,
} from 'smtp-server'
import { CallerError, ConfigError, errorMessage } from '../../lib/errors.ts'
import type { Logger } from '../../lib/logger.ts'

export interface InboundEnvelope {
  /** MAIL FROM; null for the null reverse-path `<>` of a bounce. */
  mailFrom: string | null
  /** The RCPT TO addresses taken, at most `maxRecipients`. */
  recipients: string[]
  remoteIp: string
  /** The name the client gave in HELO or EHLO. */
  helo: string | null
  /** RCPT TO commands answered 452 because the message already had `maxRecipients`. */
  recipientsRefused: number
}

export type RefusalReason = 'too_large' | 'too_many_recipients' | 'malformed' | 'rejected'

export interface SmtpListenerOptions {
  host: string
  /** 0 picks any free port. */
  port: number
  /** The name in the banner and the EHLO answer; the machine's name by default. */
  hostname?: string
  /** Announced with SIZE; a longer message is answered 552 and never handed on. */
  maxBytes: number
  /** RCPT TO beyond this are answered 452: the client sends them again in another message. */
  maxRecipients: number
  /**
   * Takes one message. A CallerError refuses it for good (550 with its message: `invalid_input`
   * is recorded as `malformed`, any other code as `rejected`); any other error answers 451 so
   * the client tries again later.
   */
  accept(raw: Buffer, envelope: InboundEnvelope): Promise<void>
  /** Records each refusal, with a line safe to log: never the message body. */
  onRefused?(reason: RefusalReason, detail: string): void
  logger?: Pick<Logger, 'warn' | 'error'>
  /** Offers STARTTLS with this key and certificate; without them the listener speaks plain SMTP. */
  tls?: { key: string | Buffer; cert: string | Buffer }
  /** How long close() lets sessions in progress finish; 10 s by default. */
  closeTimeoutMs?: number
}

export interface SmtpListener {
  /** The port bound, useful with port 0. */
  port: number
  /** Stops taking connections and waits for sessions in progress, at most `closeTimeoutMs`. */
  close(): Promise<void>
}

/**
 * The built-in inbound SMTP server, for self-hosting: an MX on loopback or a private network,
 * behind the operator's own edge. It asks no AUTH, as an MX receiving mail from the world does
 * not; whoever may reach the port may hand it mail, and the sender checks come later.
 */
/** Connections at once; more are told to come back later (421). */
const MAX_CLIENTS = 50

export async function listenSmtp(options: SmtpListenerOptions): Promise<SmtpListener> {
  checkOptions(options)
  const { maxBytes, maxRecipients, onRefused } = options
  // Keyed by the envelope, which smtp-server replaces for each transaction (MAIL FROM, RSET).
  const refusedRecipients = new WeakMap<SMTPServerEnvelope, number>()

  const server = new SMTPServer({
    ...(options.hostname === undefined ? {} : { name: options.hostname }),
    disabledCommands: options.tls === undefined ? ['AUTH', 'STARTTLS'] : ['AUTH'],
    ...(options.tls === undefined ? {} : { key: options.tls.key, cert: options.tls.cert }),
    size: maxBytes,
    // Each connection may hold up to maxBytes in memory: their number is bounded too.
    maxClients: MAX_CLIENTS,
    // The machines this runs on may have no DNS; the remote IP is what gets recorded.
    disableReverseLookup: true,
    // Its own logging would carry addresses on every command; refusals are reported instead.
    logger: false,
    closeTimeout: options.closeTimeoutMs ?? 10_000,
    // smtp-server's own maxRecipients answers 452 too, but without a hook to count the refusals.
    onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, callback) {
      const { envelope } = session
      const known = envelope.rcptTo.some(
        (r) => r.address.toLowerCase() === address.address.toLowerCase(),
      )
      if (envelope.rcptTo.length < maxRecipients || known) return callback()
      refusedRecipients.set(envelope, (refusedRecipients.get(envelope) ?? 0) + 1)
      callback(smtpError(452, 'Error: too many recipients, send the rest in another message'))
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = []
      let bytes = 0
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length
        // Past the limit the rest is read and dropped: the client is answered after its last dot.
        if (bytes <= maxBytes) chunks.push(chunk)
      })
      stream.on('end', () => {
        const refused = refusedRecipients.get(session.envelope) ?? 0
        if (refused > 0)
          onRefused?.('too_many_recipients', `${refused} recipients past ${maxRecipients} refused`)
        // Both count the same bytes; the second keeps a truncated message from ever being handed on.
        if (stream.sizeExceeded || bytes > maxBytes) {
          onRefused?.('too_large', `a message of ${bytes} bytes, past the limit of ${maxBytes}`)
          return callback(smtpError(552, `Error: message exceeds the limit of ${maxBytes} bytes`))
        }
        const envelope = inboundEnvelope(session, refused)
        const raw = Buffer.concat(chunks)
        Promise.resolve()
          .then(() => options.accept(raw, envelope))
          .then(
            () => callback(),
            (error: unknown) => callback(acceptError(error, envelope, session.id)),
          )
      })
    },
  })

  function acceptError(error: unknown, envelope: InboundEnvelope, session: string): Error {
    if (error instanceof CallerError) {
      const text = error.message.replace(/\s+/g, ' ')
      onRefused?.(error.code === 'invalid_input' ? 'malformed' : 'rejected', text)
      return smtpError(550, text)
    }
    options.logger?.error(
      { session, remoteIp: envelope.remoteIp, error: errorMessage(error) },
      'inbound email not taken; the client was told to try again later',
    )
    return smtpError(451, 'Error: the message could not be taken now, try again later')
  }

  // A client dropping the line mid-session is reported here; it must not end the process.
  server.on('error', (error) => options.logger?.warn({ error: error.message }, 'SMTP connection'))
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.server.off('error', reject)
      resolve()
    })
  }).catch((error: NodeJS.ErrnoException) => {
    throw new CallerError(
      error.code === 'EADDRINUSE' ? 'port_in_use' : 'listen_failed',
      `Cannot listen for SMTP on ${options.host}:${options.port}: ${error.message}`,
      { cause: error },
    )
  })
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

function checkOptions(options: SmtpListenerOptions): void {
  const problems: string[] = []
  const whole = (value: number, min: number, max: number) =>
    Number.isInteger(value) && value >= min && value <= max
  if (!whole(options.port, 0, 65_535)) problems.push(`the SMTP port ${options.port} is no port`)
  if (!whole(options.maxBytes, 1, Number.MAX_SAFE_INTEGER))
    problems.push(`the inbound size limit must be a positive number of bytes`)
  if (!whole(options.maxRecipients, 1, Number.MAX_SAFE_INTEGER))
    problems.push(`the inbound recipient limit must be a positive whole number`)
  if (problems.length > 0) throw ConfigError.listing(problems)
}

function inboundEnvelope(session: SMTPServerSession, refused: number): InboundEnvelope {
  const { mailFrom, rcptTo } = session.envelope
  // Typed as strings, but false until the client sent HELO or EHLO.
  const helo = session.hostNameAppearsAs as string | false
  return {
    mailFrom: mailFrom === false || mailFrom.address === '' ? null : mailFrom.address,
    recipients: rcptTo.map((r) => r.address),
    remoteIp: session.remoteAddress,
    helo: helo === false || helo === '' ? null : helo,
    recipientsRefused: refused,
  }
}

function smtpError(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode })
}
