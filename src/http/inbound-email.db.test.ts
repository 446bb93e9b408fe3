import { Writable } from 'node:stream'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { type TestDoor, testDoor } from '../../test/support/inbound-test-door.ts'
import { describeEachDatabase, type TestDatabase } from '../../test/support/test-databases.ts'
import { signPayload } from '../jobs/inbound/signature.ts'
import { InvalidInputError } from '../lib/errors.ts'
import { createLogger } from '../lib/logger.ts'
import { createApp } from './app.ts'
import type { InboundOptions } from './inbound-api.ts'

const PUBLIC_URL = 'https://fte.example.com'
const SECRET = 'mail-provider-secret-0001'
const OLD_SECRET = 'mail-provider-secret-0000'
const NOW = new Date('2027-03-01T12:00:00Z')
const T = NOW.getTime() / 1000
const MAX = 64 * 1024
const MIME = [
  'From: Ana Lima <ana@example.org>',
  'To: help@example.com',
  'Subject: Where is my parcel?',
  'Message-ID: <m1@example.org>',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Hello, it has been a week.',
  '',
].join('\r\n')

const silent = createLogger({
  level: 'silent',
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
})

describeEachDatabase('POST /api/inbound/email', (target) => {
  let db: TestDatabase
  let door: TestDoor
  beforeEach(async () => {
    db = await target.open('fixture')
    door = await testDoor(db)
  })
  afterEach(() => db.close())

  const app = (over: Partial<InboundOptions> = {}) =>
    createApp({
      db,
      logger: silent,
      publicUrl: PUBLIC_URL,
      // A bearer check that lets nobody in: the inbound routes must not meet it.
      api: { verify: () => Promise.reject(new Error('no token is valid here')), logger: silent },
      inbound: {
        secrets: { email: [SECRET] },
        toleranceSeconds: 300,
        maxBytes: MAX,
        eventKinds: [],
        clock: () => NOW,
        door,
        ...over,
      },
    })

  const post = (
    body: string | ReadableStream<Uint8Array>,
    headers: Record<string, string> = {},
    over: Partial<InboundOptions> = {},
  ) =>
    app(over).request(`${PUBLIC_URL}/api/inbound/email`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'message/rfc822', ...headers },
      duplex: 'half',
    } as RequestInit)

  const signed = (body: string, t = T, secret = SECRET) => ({
    'fte-signature': signPayload(secret, body, t),
  })

  it('accepts signed raw MIME with its envelope, without a bearer token: 202 and one job', async () => {
    const response = await post(MIME, {
      ...signed(MIME),
      'fte-mail-from': 'bounce@example.org',
      'fte-remote-ip': '192.0.2.10',
      'fte-helo': 'mx.example.org',
    })
    expect(response.status).toBe(202)
    const body = (await response.json()) as { id: string; duplicate: boolean }
    expect(body).toEqual({ id: expect.any(String), duplicate: false })
    const [created, ...more] = await door.created()
    expect(more).toEqual([])
    expect(JSON.parse(created?.payload ?? '{}')).toEqual({
      raw: MIME,
      mailFrom: 'bounce@example.org',
      remoteIp: '192.0.2.10',
      helo: 'mx.example.org',
    })
    expect(door.refusals).toEqual([])
  })

  it('passes an envelope it was not told as nulls, whatever the media type', async () => {
    const response = await post(MIME, { ...signed(MIME), 'content-type': 'text/plain' })
    expect(response.status).toBe(202)
    const [created] = await door.created()
    expect(JSON.parse(created?.payload ?? '{}')).toMatchObject({
      mailFrom: null,
      remoteIp: null,
      helo: null,
    })
  })

  it('answers the same message signed anew as a duplicate of the first, and creates nothing more', async () => {
    const first = (await (await post(MIME, signed(MIME))).json()) as { id: string }
    const again = await post(MIME, signed(MIME, T + 5))
    expect(again.status).toBe(202)
    expect(await again.json()).toEqual({ id: first.id, duplicate: true })
    expect(await door.created()).toHaveLength(1)
  })

  it('refuses the same signed request sent again: 409, recorded, nothing more created', async () => {
    const headers = signed(MIME)
    expect((await post(MIME, headers)).status).toBe(202)
    const replay = await post(MIME, headers)
    expect(replay.status).toBe(409)
    expect(await replay.json()).toMatchObject({ error: 'replayed' })
    expect(await door.created()).toHaveLength(1)
    expect(door.refusals).toEqual([{ route: 'email', reason: 'replayed' }])
  })

  it.each([
    ['missing_signature', {}],
    ['malformed_signature', { 'fte-signature': 't=now,v1=zz' }],
    ['bad_signature', { 'fte-signature': signPayload('another-secret-altogether', MIME, T) }],
    ['stale', { 'fte-signature': signPayload(SECRET, MIME, T - 301) }],
    ['stale', { 'fte-signature': signPayload(SECRET, MIME, T + 301) }],
  ])('refuses %s with 401, records it and creates nothing', async (reason, headers) => {
    const response = await post(MIME, headers)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Fte-Signature')
    expect(await response.json()).toMatchObject({ error: reason })
    expect(door.refusals).toEqual([{ route: 'email', reason }])
    expect(await door.created()).toEqual([])
  })

  it('refuses a body changed by one byte after signing', async () => {
    const response = await post(MIME.replace('week', 'weak'), signed(MIME))
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ error: 'bad_signature' })
    expect(await door.created()).toEqual([])
  })

  it('accepts the previous secret while both are configured, during a rotation', async () => {
    const headers = signed(MIME, T, OLD_SECRET)
    expect((await post(MIME, headers)).status).toBe(401)
    const rotated = await post(MIME, headers, { secrets: { email: [SECRET, OLD_SECRET] } })
    expect(rotated.status).toBe(202)
  })

  it('stops reading a body past maxBytes: 413, recorded, nothing created', async () => {
    let pulled = 0
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1024
        controller.enqueue(new Uint8Array(1024).fill(65))
      },
    })
    const response = await post(endless, signed(MIME))
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ error: 'too_large' })
    expect(pulled).toBeGreaterThan(MAX)
    expect(pulled).toBeLessThan(MAX + 8 * 1024)
    expect(door.refusals).toEqual([
      { route: 'email', reason: 'too_large', detail: `over ${MAX} bytes` },
    ])
    expect(await door.created()).toEqual([])
  })

  it('refuses a body whose Content-Length is past maxBytes before reading any of it', async () => {
    let pulled = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1
        controller.enqueue(new Uint8Array(1024))
      },
    })
    const response = await post(body, { ...signed(MIME), 'content-length': String(MAX + 1) })
    expect(response.status).toBe(413)
    expect(pulled).toBeLessThanOrEqual(1)
    expect(await door.created()).toEqual([])
  })

  it('accepts a body of exactly maxBytes', async () => {
    const exact = `${MIME}${'x'.repeat(MAX - MIME.length)}`
    expect((await post(exact, signed(exact))).status).toBe(202)
  })

  it('refuses an envelope address that is not an IP address: 400, recorded', async () => {
    const response = await post(MIME, { ...signed(MIME), 'fte-remote-ip': 'mx.example.org' })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: 'malformed' })
    expect(door.refusals).toMatchObject([{ route: 'email', reason: 'malformed' }])
    expect(await door.created()).toEqual([])
  })

  it('answers 400 with the door’s reason when it cannot use the message', async () => {
    const refusing = {
      ...door,
      email: () => Promise.reject(new InvalidInputError('the message has no From header')),
    }
    const response = await post(MIME, signed(MIME), { door: refusing })
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({
      error: 'malformed',
      message: 'the message has no From header',
    })
    expect(door.refusals).toEqual([
      { route: 'email', reason: 'malformed', detail: 'the message has no From header' },
    ])
  })

  it('answers 404 naming EMAIL_INBOUND_SECRET while no secret is set, and records nothing', async () => {
    for (const email of [undefined, []]) {
      const response = await post(MIME, signed(MIME), { secrets: { email } })
      expect(response.status).toBe(404)
      expect(((await response.json()) as { message: string }).message).toContain(
        'EMAIL_INBOUND_SECRET',
      )
    }
    expect(door.refusals).toEqual([])
  })

  it('refuses a foreign Host with 403 before anything else, signed or not', async () => {
    const response = await post(MIME, { ...signed(MIME), host: 'attacker.example.net' })
    expect(response.status).toBe(403)
    expect(door.refusals).toEqual([])
    expect(await door.created()).toEqual([])
  })

  it('leaves the rest of /api behind the bearer check', async () => {
    const response = await app().request(`${PUBLIC_URL}/api/me`)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/)
    const wrongMethod = await app().request(`${PUBLIC_URL}/api/inbound/email`)
    expect(wrongMethod.status).toBe(401)
  })
})
