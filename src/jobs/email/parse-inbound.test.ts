import { describe, expect, it } from 'vitest'
import { MAX_TEXT_CHARS, parseInbound } from './parse-inbound.ts'

const limits = { maxBytes: 1_000_000, maxRecipients: 50 }

/** A message from header lines and a body, with CRLF line ends, as `latin1` bytes. */
function message(headers: string[], body: string): Buffer {
  return Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body.replace(/\r?\n/g, '\r\n')}`, 'latin1')
}

const plain = (body: string, extra: string[] = []) =>
  message(
    [
      'From: "Jane Doe" <Jane.Doe@Example.COM>',
      'To: Help Desk <HELP@desk.example>',
      'Subject: Where is my parcel?',
      'Message-ID: <m1@example.com>',
      'Date: Mon, 1 Dec 2026 10:00:00 +0000',
      ...extra,
    ],
    body,
  )

describe('parseInbound', () => {
  it('reads the headers, the author and the text of a plain message', async () => {
    const email = await parseInbound(
      plain('It has not arrived.', [
        'Cc: a@x.example, B@Y.example',
        'Reply-To: elsewhere@other.example',
        'In-Reply-To: <r1@desk.example>',
        'References: <r0@desk.example> <r1@desk.example>',
      ]),
      limits,
    )
    expect(email).toEqual({
      messageId: '<m1@example.com>',
      inReplyTo: '<r1@desk.example>',
      references: ['<r0@desk.example>', '<r1@desk.example>'],
      from: { address: 'jane.doe@example.com', name: 'Jane Doe' },
      replyTo: 'elsewhere@other.example',
      to: ['help@desk.example'],
      cc: ['a@x.example', 'b@y.example'],
      recipientsTrimmed: 0,
      subject: 'Where is my parcel?',
      text: 'It has not arrived.',
      quotedChars: 0,
      truncatedChars: 0,
      date: new Date('2026-12-01T10:00:00Z'),
      attachments: [],
    })
  })

  it('refuses a message over the size limit before reading it, naming both sizes', async () => {
    const raw = plain('x'.repeat(2_000))
    await expect(parseInbound(raw, { ...limits, maxBytes: 1_000 })).rejects.toMatchObject({
      code: 'email_too_large',
      fault: 'caller',
      message: expect.stringMatching(new RegExp(`${raw.length} bytes.*1000 bytes`)),
    })
    await expect(parseInbound(raw, { ...limits, maxBytes: raw.length })).resolves.toBeDefined()
  })

  it('refuses bytes that are not an email at all', async () => {
    for (const raw of ['this is not an email, just a sentence', '', '\u0000\u0001\u00ff']) {
      await expect(parseInbound(Buffer.from(raw, 'latin1'), limits)).rejects.toMatchObject({
        code: 'email_malformed',
        message: expect.stringContaining('no header'),
      })
    }
  })

  it('refuses a message with no From address, saying so', async () => {
    for (const from of [[], ['From: Just A Name'], ['From: undisclosed-senders:;']]) {
      const raw = message([...from, 'To: help@desk.example', 'Subject: hi'], 'Hello')
      await expect(parseInbound(raw, limits)).rejects.toMatchObject({
        code: 'email_malformed',
        message: 'The message has no From address.',
      })
    }
  })

  it('refuses a message whose structure the parser will not read: over 1,000 parts', async () => {
    const part = '--XX\nContent-Type: text/plain\n\npart\n'
    const raw = message(
      ['From: jane@example.com', 'Content-Type: multipart/mixed; boundary=XX'],
      `${part.repeat(1_001)}--XX--\n`,
    )
    await expect(parseInbound(raw, limits)).rejects.toMatchObject({
      code: 'email_malformed',
      message: 'The message could not be read as an email.',
      cause: expect.objectContaining({ message: expect.stringContaining('child nodes') }),
    })
  })

  it('keeps the readable text of a message with a broken part', async () => {
    const raw = message(
      ['From: jane@example.com', 'Content-Type: multipart/mixed; boundary=XX'],
      [
        '--XX',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'The text survives.',
        '--XX',
        'Content-Type: application/pdf; name=bill.pdf',
        'Content-Transfer-Encoding: base64',
        '',
        '!!!this is not base64@@@',
      ].join('\n'),
    )
    const email = await parseInbound(raw, limits)
    expect(email.text).toBe('The text survives.')
    expect(email.attachments.map((a) => a.filename)).toEqual(['bill.pdf'])
  })

  it('keeps at most maxRecipients of 1,000 recipients, To first, and counts the rest', async () => {
    const list = (n: number, host: string) =>
      Array.from({ length: n }, (_, i) => `u${i}@${host}`).join(', ')
    const raw = plain('Hello all.', [`Cc: ${list(400, 'cc.example')}`]).toString('latin1')
    const many = Buffer.from(raw.replace(/^To: .*$/m, `To: ${list(600, 'to.example')}`), 'latin1')
    const email = await parseInbound(many, limits)
    expect(email.to).toHaveLength(50)
    expect(email.to[49]).toBe('u49@to.example')
    expect(email.cc).toEqual([])
    expect(email.recipientsTrimmed).toBe(950)
    expect(email.text).toBe('Hello all.')

    const few = await parseInbound(plain('Hi', [`Cc: ${list(80, 'cc.example')}`]), limits)
    expect([few.to.length, few.cc.length, few.recipientsTrimmed]).toEqual([1, 49, 31])
  })

  it('keeps only the new text of a reply with quoted history and a signature', async () => {
    const reply = [
      'Yes, the address is right.',
      '',
      '-- ',
      'Jane Doe',
      '',
      'On Mon, Dec 1, 2026 at 10:00 AM Help Desk <help@desk.example> wrote:',
      '> Could you confirm your address?',
    ].join('\n')
    const email = await parseInbound(plain(reply), limits)
    expect(email.text).toBe('Yes, the address is right.')
    expect(email.quotedChars).toBe(reply.length - email.text.length)
  })

  it('names a message without Message-ID by its bytes, the same for the same bytes', async () => {
    const raw = message(['From: jane@example.com', 'Subject: no id'], 'Hello')
    const first = await parseInbound(raw, limits)
    expect(first.messageId).toMatch(/^<[0-9a-f]{64}@missing-message-id\.invalid>$/)
    expect((await parseInbound(Buffer.from(raw), limits)).messageId).toBe(first.messageId)
    const other = message(['From: jane@example.com', 'Subject: no id'], 'Hello again')
    expect((await parseInbound(other, limits)).messageId).not.toBe(first.messageId)
  })

  it('replaces a Message-ID it could not repeat in a reply, and leaves bad ids out of the thread', async () => {
    for (const bad of ['12345', '<>', `<${'x'.repeat(300)}@example.com>`]) {
      const raw = message(
        [
          'From: jane@example.com',
          'Subject: odd ids',
          `Message-ID: ${bad}`,
          'In-Reply-To: not-an-id',
          'References: <a@example.com> junk <b@example.com>',
        ],
        'Hello',
      )
      const parsed = await parseInbound(raw, limits)
      expect(parsed.messageId).toMatch(/^<[0-9a-f]{64}@missing-message-id\.invalid>$/)
      expect(parsed.inReplyTo).toBeNull()
      expect(parsed.references).toEqual(['<a@example.com>', '<b@example.com>'])
    }
  })

  it('drops NUL characters a header or body encodes, which the database cannot store', async () => {
    const raw = message(
      ['From: jane@example.com', 'Subject: =?utf-8?Q?a=00b?=', 'Message-ID: <nul@example.com>'],
      'Hello\u0000there',
    )
    const parsed = await parseInbound(raw, limits)
    expect(parsed.subject).toBe('ab')
    expect(parsed.text).toBe('Hellothere')
  })

  it('reads an HTML-only message as text, without its quoted part', async () => {
    const html = [
      '<html><body><p>Thanks, <b>that</b> works.</p>',
      '<div class="gmail_quote">On Mon, Dec 1, 2026 at 10:00 AM Help &lt;help@desk.example&gt; wrote:',
      '<blockquote><p>Please try again.</p></blockquote></div></body></html>',
    ].join('\n')
    const email = await parseInbound(
      message(['From: jane@example.com', 'Content-Type: text/html; charset=utf-8'], html),
      limits,
    )
    expect(email.text).toBe('Thanks, that works.')
    expect(email.quotedChars).toBeGreaterThan(0)
  })

  it('lists an attachment by name, type and size without keeping its content', async () => {
    const raw = message(
      ['From: jane@example.com', 'Content-Type: multipart/mixed; boundary=XX'],
      [
        '--XX',
        'Content-Type: text/plain',
        '',
        'Photo attached.',
        '--XX',
        'Content-Type: image/png; name=parcel.png',
        'Content-Disposition: attachment; filename=parcel.png',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('twelve bytes').toString('base64'),
        '--XX--',
      ].join('\n'),
    )
    const email = await parseInbound(raw, limits)
    expect(email.attachments).toEqual([
      { filename: 'parcel.png', contentType: 'image/png', size: 12 },
    ])
    expect(JSON.stringify(email)).not.toContain(Buffer.from('twelve bytes').toString('base64'))
  })

  it('decodes an ISO-8859-1 body and subject', async () => {
    const raw = message(
      [
        'From: =?ISO-8859-1?Q?Ren=E9e?= <renee@example.fr>',
        'Subject: =?ISO-8859-1?Q?Caf=E9_cr=E8me?=',
        'Content-Type: text/plain; charset=ISO-8859-1',
        'Content-Transfer-Encoding: 8bit',
      ],
      'Le caf\u00e9 \u00e9tait froid, d\u00e9j\u00e0.',
    )
    const email = await parseInbound(raw, limits)
    expect(email.text).toBe('Le café était froid, déjà.')
    expect(email.subject).toBe('Café crème')
    expect(email.from).toEqual({ address: 'renee@example.fr', name: 'Renée' })
  })

  it('keeps at most MAX_TEXT_CHARS of a long body and counts what it cut', async () => {
    const email = await parseInbound(plain('word '.repeat(5_000)), limits)
    expect(email.text.length).toBeLessThanOrEqual(MAX_TEXT_CHARS)
    expect(email.truncatedChars).toBe(25_000 - MAX_TEXT_CHARS)
  })

  it('gives no date for an unreadable Date header, and no name for a bare address', async () => {
    const raw = message(['From: jane@example.com', 'Date: sometime last week'], 'Hello')
    const email = await parseInbound(raw, limits)
    expect(email.date).toBeNull()
    expect(email.from).toEqual({ address: 'jane@example.com', name: null })
    expect([email.subject, email.inReplyTo, email.replyTo]).toEqual(['', null, null])
  })
})
