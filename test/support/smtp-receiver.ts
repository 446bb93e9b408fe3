import type { AddressInfo } from 'node:net'
import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'
import { waitFor } from './ports.ts'

/** One message as the receiving server parsed it. */
export interface ReceivedMail {
  messageId: string
  /** The From header's address. */
  from: string
  /** The To header's addresses. */
  to: string[]
  subject: string
  text: string
  inReplyTo: string | null
  references: string[]
  headers: ParsedMail['headers']
  /** What the client said in MAIL FROM and RCPT TO, which may differ from the headers. */
  envelope: { mailFrom: string; recipients: string[] }
}

export interface SmtpReceiver {
  /** `smtp://127.0.0.1:port`, for the sender under test. */
  url: string
  port: number
  /** One per distinct Message-ID, in the order they first arrived. */
  messages(): ReceivedMail[]
  /** How many times a message with this id was accepted: more than 1 is a duplicate delivery. */
  deliveries(messageId: string): number
  /** The distinct messages once there are at least `count` of them. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>
  /** Answers the next `times` messages with `code` after reading them, as a failing relay would. */
  failNext(code: number, times: number): void
  /**
   * Keeps the next message (counted as delivered) but never answers its DATA, as a server that
   * accepted a message and then lost the connection before its 250 reached the sender: the sender
   * cannot know it was delivered. `close` lets the held answers go.
   */
  stallNext(): void
  close(): Promise<void>
}

/**
 * A real receiving SMTP server on loopback, counting deliveries by Message-ID as a mailbox
 * provider does: what "delivered once" means for a reply resent after a crash.
 */
export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const byId = new Map<string, ReceivedMail>()
  const counts = new Map<string, number>()
  let failure = { code: 0, times: 0 }
  let stall = false
  const held: Array<() => void> = []

  const server = new SMTPServer({
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 1_000,
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          if (failure.times > 0) {
            failure = { ...failure, times: failure.times - 1 }
            const error = Object.assign(new Error(`scripted failure ${failure.code}`), {
              responseCode: failure.code,
            })
            return callback(error)
          }
          const mail = received(parsed, session.envelope)
          if (!byId.has(mail.messageId)) byId.set(mail.messageId, mail)
          counts.set(mail.messageId, (counts.get(mail.messageId) ?? 0) + 1)
          if (stall) {
            stall = false
            held.push(() => callback())
            return
          }
          callback()
        },
        (error: Error) => callback(error),
      )
    },
  })
  server.on('error', () => {}) // a client hanging up mid-session is no failure of the receiver
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.server.address() as AddressInfo

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages: () => [...byId.values()],
    deliveries: (messageId) => counts.get(messageId) ?? 0,
    waitFor: (count, timeoutMs = 10_000) =>
      waitFor(
        () => (byId.size >= count ? [...byId.values()] : undefined),
        `${count} messages at the SMTP receiver`,
        timeoutMs,
      ),
    failNext(code, times) {
      failure = { code, times }
    },
    stallNext() {
      stall = true
    },
    close: () => {
      for (const answer of held.splice(0)) answer()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function received(
  parsed: ParsedMail,
  envelope: { mailFrom: { address: string } | false; rcptTo: { address: string }[] },
): ReceivedMail {
  return {
    messageId: parsed.messageId ?? '',
    from: parsed.from?.value[0]?.address ?? '',
    to: addresses(parsed.to),
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    inReplyTo: parsed.inReplyTo ?? null,
    references: [parsed.references ?? []].flat(),
    headers: parsed.headers,
    envelope: {
      mailFrom: envelope.mailFrom === false ? '' : envelope.mailFrom.address,
      recipients: envelope.rcptTo.map((r) => r.address),
    },
  }
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  return [field ?? []].flat().flatMap((o) => o.value.map((a) => a.address ?? ''))
}
