import { createTransport } from 'nodemailer'
import getTLSOptions from 'smtp-server/lib/tls-options'
import { afterEach, describe, expect, it } from 'vitest'
import { Capture } from '../../../test/support/capture.ts'
import { CallerError, ConfigError, InvalidInputError } from '../../lib/errors.ts'
import { createLogger } from '../../lib/logger.ts'
import {
  type InboundEnvelope,
  listenSmtp,
  type RefusalReason,
  type SmtpListener,
  type SmtpListenerOptions,
} from './smtp-listener.ts'

interface Taken {
  raw: string
  envelope: InboundEnvelope
}

describe('the inbound SMTP listener', () => {
  let listener: SmtpListener | undefined
  const taken: Taken[] = []
  const refusals: [RefusalReason, string][] = []

  afterEach(async () => {
    await listener?.close()
    listener = undefined
    taken.length = 0
    refusals.length = 0
  })

  async function listening(options: Partial<SmtpListenerOptions> = {}): Promise<SmtpListener> {
    listener = await listenSmtp({
      host: '127.0.0.1',
      port: 0,
      hostname: 'mx.shop.test',
      maxBytes: 64 * 1024,
      maxRecipients: 10,
      accept: async (raw, envelope) => {
        taken.push({ raw: raw.toString(), envelope })
      },
      onRefused: (reason, detail) => refusals.push([reason, detail]),
      ...options,
    })
    return listener
  }

  /** A real SMTP client, as a customer's mail server would deliver. */
  function client(port: number, options: { requireTLS?: boolean } = {}) {
    return createTransport({
      host: '127.0.0.1',
      port,
      name: 'mail.customer.test',
      tls: { rejectUnauthorized: false },
      ...options,
    })
  }

  const MESSAGE = {
    from: 'ada@customer.test',
    to: 'help@shop.test',
    subject: 'Where is my parcel?',
    text: 'It has not arrived.',
    messageId: '<question-1@customer.test>',
  }

  it('hands the raw message and its envelope to accept', async () => {
    const { port } = await listening()
    const info = await client(port).sendMail(MESSAGE)
    expect(info.response).toMatch(/^250 /)
    expect(taken).toHaveLength(1)
    const [{ raw, envelope } = { raw: '', envelope: undefined }] = taken
    expect(raw).toContain('Message-ID: <question-1@customer.test>')
    expect(raw).toContain('Subject: Where is my parcel?')
    expect(raw).toContain('It has not arrived.')
    expect(envelope).toEqual({
      mailFrom: 'ada@customer.test',
      recipients: ['help@shop.test'],
      remoteIp: '127.0.0.1',
      helo: 'mail.customer.test',
      recipientsRefused: 0,
    })
    expect(refusals).toEqual([])
  })

  it('gives a bounce, sent from the null reverse-path, no sender', async () => {
    const { port } = await listening()
    await client(port).sendMail({ ...MESSAGE, envelope: { from: '', to: 'help@shop.test' } })
    expect(taken[0]?.envelope.mailFrom).toBeNull()
  })

  it('refuses an oversized message with 552 and hands nothing on', async () => {
    const { port } = await listening({ maxBytes: 2_000 })
    const error = await client(port)
      .sendMail({ ...MESSAGE, text: 'x'.repeat(10_000) })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ responseCode: 552 })
    expect(taken).toEqual([])
    expect(refusals).toEqual([['too_large', expect.stringMatching(/past the limit of 2000/)]])
  })

  it('takes maxRecipients of 1,000 recipients, answers the rest 452 and counts them', async () => {
    const { port } = await listening({ maxRecipients: 10 })
    const to = Array.from({ length: 1_000 }, (_, i) => `customer-${i}@shop.test`)
    const info = await client(port).sendMail({ ...MESSAGE, to })
    // Nodemailer delivers to the recipients taken and reports the others, without failing.
    expect(info.accepted).toEqual(to.slice(0, 10))
    expect(info.rejected).toEqual(to.slice(10))
    expect(info.rejectedErrors?.map((e) => e.responseCode)).toEqual(Array(990).fill(452))
    expect(taken).toHaveLength(1)
    expect(taken[0]?.envelope.recipients).toEqual(to.slice(0, 10))
    expect(taken[0]?.envelope.recipientsRefused).toBe(990)
    expect(refusals).toEqual([['too_many_recipients', '990 recipients past 10 refused']])
  })

  it('answers 550 with the reason when accept refuses the message as malformed', async () => {
    const { port } = await listening({
      accept: () => Promise.reject(new InvalidInputError('The message has no From header.')),
    })
    const error = await client(port)
      .sendMail(MESSAGE)
      .catch((e: unknown) => e)
    expect(error).toMatchObject({
      responseCode: 550,
      response: '550 The message has no From header.',
    })
    expect(refusals).toEqual([['malformed', 'The message has no From header.']])
  })

  it('records a refusal other than malformed input as rejected', async () => {
    const { port } = await listening({
      accept: () => Promise.reject(new CallerError('unknown_mailbox', 'No such mailbox here.')),
    })
    const error = await client(port)
      .sendMail(MESSAGE)
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ responseCode: 550, response: '550 No such mailbox here.' })
    expect(refusals).toEqual([['rejected', 'No such mailbox here.']])
  })

  it('answers 451 when accept fails otherwise, and logs it without the message body', async () => {
    const lines = new Capture()
    const { port } = await listening({
      accept: () => Promise.reject(new Error('database unavailable')),
      logger: createLogger({ level: 'info', format: 'json', destination: lines }),
    })
    const error = await client(port)
      .sendMail(MESSAGE)
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ responseCode: 451 })
    expect(lines.text).toContain('database unavailable')
    expect(lines.text).not.toContain('It has not arrived')
    expect(refusals).toEqual([])
  })

  it('offers no STARTTLS without a key and certificate, and STARTTLS with them', async () => {
    const plain = await listening()
    const refused = await client(plain.port, { requireTLS: true })
      .sendMail(MESSAGE)
      .catch((e: unknown) => e)
    expect(refused).toMatchObject({ code: 'ETLS' })
    await plain.close()

    const { key, cert } = getTLSOptions()
    const secured = await listening({ tls: { key: key as string, cert: cert as string } })
    await client(secured.port, { requireTLS: true }).sendMail(MESSAGE)
    expect(taken).toHaveLength(1)
  })

  it('lets a session in progress finish when closed', async () => {
    let entered: () => void = () => {}
    const inAccept = new Promise<void>((resolve) => {
      entered = resolve
    })
    const { port } = await listening({
      accept: async () => {
        entered()
        await new Promise((resolve) => setTimeout(resolve, 300))
      },
    })
    const sending = client(port).sendMail(MESSAGE)
    await inAccept
    const closing = listener?.close()
    listener = undefined
    await expect(sending).resolves.toMatchObject({ response: expect.stringMatching(/^250 /) })
    await closing
  })

  it('refuses limits that cannot work, and a port already taken', async () => {
    const options = { host: '127.0.0.1', accept: async () => {} }
    const invalid = listenSmtp({ ...options, port: 70_000, maxBytes: 0, maxRecipients: 1.5 })
    await expect(invalid).rejects.toBeInstanceOf(ConfigError)
    await expect(invalid).rejects.toMatchObject({
      problems: [
        'the SMTP port 70000 is no port',
        'the inbound size limit must be a positive number of bytes',
        'the inbound recipient limit must be a positive whole number',
      ],
    })
    const { port } = await listening()
    await expect(
      listenSmtp({ ...options, port, maxBytes: 1_000, maxRecipients: 1 }),
    ).rejects.toMatchObject({ code: 'port_in_use' })
  })
})
