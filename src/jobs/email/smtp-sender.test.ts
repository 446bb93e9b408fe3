import { createServer, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { freePort } from '../../../test/support/ports.ts'
import { type SmtpReceiver, startSmtpReceiver } from '../../../test/support/smtp-receiver.ts'
import { ConfigError, InvalidInputError } from '../../lib/errors.ts'
import {
  createSmtpSender,
  EmailSendError,
  type OutboundMail,
  type SmtpSender,
} from './smtp-sender.ts'

const FROM = { address: 'worker@shop.test', name: 'The Worker' }

function mail(overrides: Partial<OutboundMail> = {}): OutboundMail {
  return {
    messageId: '<reply-1@shop.test>',
    to: 'ada@customer.test',
    subject: 'Re: Where is my parcel?',
    text: 'It left the warehouse this morning.',
    inReplyTo: null,
    references: [],
    ...overrides,
  }
}

async function failure(sending: Promise<unknown>): Promise<EmailSendError> {
  const error = await sending.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(EmailSendError)
  return error as EmailSendError
}

describe('the SMTP sender', () => {
  let receiver: SmtpReceiver | undefined
  let sender: SmtpSender | undefined

  afterEach(async () => {
    sender?.close()
    await receiver?.close()
    sender = undefined
    receiver = undefined
  })

  async function connected(): Promise<{ receiver: SmtpReceiver; sender: SmtpSender }> {
    receiver = await startSmtpReceiver()
    sender = createSmtpSender({ url: receiver.url, from: FROM, timeoutMs: 5_000 })
    return { receiver, sender }
  }

  it('delivers a reply whose threading headers the receiver reads back', async () => {
    const { receiver, sender } = await connected()
    const result = await sender.send(
      mail({
        inReplyTo: '<question-2@customer.test>',
        references: ['<question-1@customer.test>', '<answer-1@shop.test>'],
        date: new Date('2026-12-05T10:00:00Z'),
      }),
    )
    expect(result.accepted).toEqual(['ada@customer.test'])
    expect(result.rejected).toEqual([])
    expect(result.response).toMatch(/^250 /)

    const [received] = await receiver.waitFor(1)
    expect(received).toMatchObject({
      messageId: '<reply-1@shop.test>',
      from: 'worker@shop.test',
      to: ['ada@customer.test'],
      subject: 'Re: Where is my parcel?',
      text: 'It left the warehouse this morning.\n',
      inReplyTo: '<question-2@customer.test>',
      references: [
        '<question-1@customer.test>',
        '<answer-1@shop.test>',
        '<question-2@customer.test>',
      ],
      envelope: { mailFrom: 'worker@shop.test', recipients: ['ada@customer.test'] },
    })
    expect(received?.headers.get('date')).toEqual(new Date('2026-12-05T10:00:00Z'))
  })

  it('names the answered message once in References when the caller already listed it', async () => {
    const { receiver, sender } = await connected()
    await sender.send(
      mail({ inReplyTo: '<question-1@customer.test>', references: ['<question-1@customer.test>'] }),
    )
    const [received] = await receiver.waitFor(1)
    expect(received?.references).toEqual(['<question-1@customer.test>'])
  })

  it('sends the first message of a thread without In-Reply-To or References', async () => {
    const { receiver, sender } = await connected()
    await sender.send(mail())
    const [received] = await receiver.waitFor(1)
    expect(received?.inReplyTo).toBeNull()
    expect(received?.references).toEqual([])
    expect(received?.headers.has('references')).toBe(false)
  })

  it('keeps the given Message-ID, so a resend is one message delivered twice', async () => {
    const { receiver, sender } = await connected()
    await sender.send(mail())
    await sender.send(mail())
    expect(receiver.messages().map((m) => m.messageId)).toEqual(['<reply-1@shop.test>'])
    expect(receiver.deliveries('<reply-1@shop.test>')).toBe(2)
  })

  it('reports a permanent 550 as rejected and not worth retrying', async () => {
    const { receiver, sender } = await connected()
    receiver.failNext(550, 1)
    const error = await failure(sender.send(mail()))
    expect(error).toMatchObject({ code: 'email_rejected', retryable: false, responseCode: 550 })
    expect(receiver.messages()).toEqual([])
  })

  it('reports a 451 as unavailable, and the retry goes through', async () => {
    const { receiver, sender } = await connected()
    receiver.failNext(451, 1)
    const error = await failure(sender.send(mail()))
    expect(error).toMatchObject({ code: 'email_unavailable', retryable: true, responseCode: 451 })
    await sender.send(mail())
    expect(receiver.deliveries('<reply-1@shop.test>')).toBe(1)
  })

  it('reports a refused connection as unavailable', async () => {
    const port = await freePort()
    sender = createSmtpSender({ url: `smtp://127.0.0.1:${port}`, from: FROM, timeoutMs: 5_000 })
    const error = await failure(sender.send(mail()))
    expect(error).toMatchObject({ code: 'email_unavailable', retryable: true })
    expect(error.responseCode).toBeUndefined()
  })

  it('gives up on a server that accepts the connection and never speaks, within the timeout', async () => {
    const sockets: Socket[] = []
    const silent: Server = createServer((socket) => sockets.push(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const { port } = silent.address() as { port: number }
    try {
      sender = createSmtpSender({ url: `smtp://127.0.0.1:${port}`, from: FROM, timeoutMs: 300 })
      const started = Date.now()
      const error = await failure(sender.send(mail()))
      expect(error).toMatchObject({ code: 'email_unavailable', retryable: true })
      expect(Date.now() - started).toBeLessThan(3_000)
    } finally {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => silent.close(resolve))
    }
  })

  it('refuses an id without angle brackets before sending anything', async () => {
    const { receiver, sender } = await connected()
    await expect(sender.send(mail({ messageId: 'reply-1@shop.test' }))).rejects.toThrow(
      InvalidInputError,
    )
    await expect(sender.send(mail({ references: ['<a@b>', 'c@d'] }))).rejects.toThrow(/c@d/)
    expect(receiver.messages()).toEqual([])
  })

  it('refuses a bad URL at creation without repeating its password', () => {
    const attempts = [
      'http://user:hunter2@mail.shop.test',
      'smtp://user:hunter2@mail.shop.test/?tls.rejectUnauthorized=false',
      'smtp://user:hunter2%zz@mail.shop.test',
      'not a url hunter2',
    ]
    for (const url of attempts) {
      let error: unknown
      try {
        createSmtpSender({ url, from: FROM })
      } catch (e) {
        error = e
      }
      expect(error, url).toBeInstanceOf(ConfigError)
      expect((error as ConfigError).message, url).not.toContain('hunter2')
    }
  })

  it('refuses a sender address or timeout that cannot work, all problems at once', () => {
    expect(() =>
      createSmtpSender({ url: 'smtp://mail.shop.test', from: { address: 'nobody' }, timeoutMs: 0 }),
    ).toThrow(
      expect.objectContaining({
        problems: [
          'the sender address "nobody" is not an address',
          'the SMTP timeout must be a positive number of milliseconds, not 0',
        ],
      }),
    )
  })
})
