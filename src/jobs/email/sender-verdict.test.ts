import { beforeAll, describe, expect, it } from 'vitest'
import { type DkimKey, dkimKey, dns, signed } from '../../../test/support/mail-auth.ts'
import { checkSender } from './sender-verdict.ts'

function message(from: string, body = 'Where is my parcel?'): string {
  return [
    `From: Jane <jane@${from}>`,
    'To: help@desk.example',
    'Subject: Parcel',
    `Message-ID: <1@${from}>`,
    'Date: Mon, 1 Dec 2026 10:00:00 +0000',
    '',
    body,
    '',
  ].join('\r\n')
}

const how = { ip: null, helo: null, mailFrom: null, mta: 'mx.desk.example' }

describe('checkSender', () => {
  let sender: DkimKey
  let other: DkimKey
  let resolver: ReturnType<typeof dns>

  beforeAll(() => {
    sender = dkimKey('sender.example', 's1')
    other = dkimKey('other.example', 's2')
    resolver = dns({
      's1._domainkey.sender.example TXT': sender.record,
      's2._domainkey.other.example TXT': other.record,
      '_dmarc.sender.example TXT': 'v=DMARC1; p=reject',
      '_dmarc.other.example TXT': 'v=DMARC1; p=reject',
      'sender.example TXT': 'v=spf1 ip4:127.0.0.1 -all',
    })
  })

  it('passes DKIM and DMARC, aligned, for a message signed by its From domain', async () => {
    const raw = Buffer.from(await signed(message('sender.example'), sender))
    expect(await checkSender(raw, { ...how, resolver })).toEqual({
      dkim: 'pass',
      spf: 'temperror',
      dmarc: 'pass',
      aligned: true,
      domain: 'sender.example',
    })
  })

  it('fails DKIM and DMARC for the same message with its body altered', async () => {
    const text = await signed(message('sender.example'), sender)
    const raw = Buffer.from(text.replace('Where is my parcel?', 'Send the money elsewhere.'))
    expect(await checkSender(raw, { ...how, resolver })).toMatchObject({
      dkim: 'fail',
      dmarc: 'fail',
      aligned: false,
    })
  })

  it('gives none for a From domain that publishes nothing', async () => {
    const raw = Buffer.from(message('nowhere.example'))
    const verdict = await checkSender(raw, {
      ...how,
      ip: '192.0.2.7',
      mailFrom: 'jane@nowhere.example',
      resolver,
    })
    expect(verdict).toEqual({
      dkim: 'none',
      spf: 'none',
      dmarc: 'none',
      aligned: false,
      domain: 'nowhere.example',
    })
  })

  it('fails DMARC for a From domain signed with another domain’s key', async () => {
    const raw = Buffer.from(await signed(message('sender.example'), other))
    expect(await checkSender(raw, { ...how, resolver })).toMatchObject({
      dkim: 'pass',
      dmarc: 'fail',
      aligned: false,
      domain: 'sender.example',
    })
  })

  it('passes SPF for an address the envelope domain lists, and fails it for another', async () => {
    const raw = Buffer.from(message('sender.example'))
    const envelope = { ...how, mailFrom: 'jane@sender.example', resolver }
    expect(await checkSender(raw, { ...envelope, ip: '127.0.0.1' })).toMatchObject({
      spf: 'pass',
      dmarc: 'pass',
      aligned: true,
    })
    expect(await checkSender(raw, { ...envelope, ip: '192.0.2.7' })).toMatchObject({
      spf: 'fail',
      dmarc: 'fail',
      aligned: false,
    })
  })

  it('records a failing DNS as temperror rather than throwing', async () => {
    const raw = Buffer.from(await signed(message('sender.example'), sender))
    const failing = async () => {
      throw Object.assign(new Error('query ETIMEOUT'), { code: 'ETIMEOUT' })
    }
    expect(
      await checkSender(raw, {
        ...how,
        ip: '127.0.0.1',
        mailFrom: 'jane@sender.example',
        resolver: failing,
      }),
    ).toEqual({
      dkim: 'temperror',
      spf: 'temperror',
      dmarc: 'temperror',
      aligned: false,
      domain: 'sender.example',
    })
  })

  it('judges no domain for a message without a From domain', async () => {
    const raw = Buffer.from('To: help@desk.example\r\nSubject: hi\r\n\r\nHello\r\n')
    expect(await checkSender(raw, { ...how, resolver })).toEqual({
      dkim: 'none',
      spf: 'temperror',
      dmarc: 'none',
      aligned: false,
      domain: null,
    })
  })
})
