import { Writable } from 'node:stream'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { type TestDoor, testDoor } from '../../test/support/inbound-test-door.ts'
import { describeEachDatabase, type TestDatabase } from '../../test/support/test-databases.ts'
import { signPayload } from '../jobs/inbound/signature.ts'
import { createLogger } from '../lib/logger.ts'
import { createApp } from './app.ts'
import type { InboundOptions } from './inbound-api.ts'

const PUBLIC_URL = 'https://fte.example.com'
const SECRET = 'helpdesk-webhook-secret-1'
const NOW = new Date('2027-03-01T12:00:00Z')
const T = NOW.getTime() / 1000
const EVENT = JSON.stringify({ kind: 'case_updated', id: 'evt_81', data: { case: 'C-7' } })

const silent = createLogger({
  level: 'silent',
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
})

describeEachDatabase('POST /api/inbound/webhook', (target) => {
  let db: TestDatabase
  let door: TestDoor
  beforeEach(async () => {
    db = await target.open('fixture')
    door = await testDoor(db)
  })
  afterEach(() => db.close())

  const post = (
    body: string,
    headers: Record<string, string> = { 'fte-signature': signPayload(SECRET, body, T) },
    over: Partial<InboundOptions> = {},
  ) =>
    createApp({
      db,
      logger: silent,
      publicUrl: PUBLIC_URL,
      api: { verify: () => Promise.reject(new Error('no token is valid here')), logger: silent },
      inbound: {
        secrets: { webhook: [SECRET] },
        toleranceSeconds: 300,
        maxBytes: 4096,
        eventKinds: ['case_updated', 'payment_settled'],
        clock: () => NOW,
        door,
        ...over,
      },
    }).request(`${PUBLIC_URL}/api/inbound/webhook`, {
      method: 'POST',
      body,
      // Not application/json: the JSON-only rule of /api does not apply to a signed route.
      headers: { 'content-type': 'text/plain', ...headers },
    })

  /** The answer's status and error code, the refusals recorded and the rows created. */
  const outcome = async (response: Response) => ({
    status: response.status,
    body: (await response.json()) as { error?: string; message?: string },
    refusals: door.refusals,
    created: await door.created(),
  })

  it('accepts a signed event of a kind the pack names: 202 and one job', async () => {
    const response = await post(EVENT)
    expect(response.status).toBe(202)
    const body = (await response.json()) as { id: string; duplicate: boolean }
    expect(body).toEqual({ id: expect.any(String), duplicate: false })
    const created = await door.created()
    expect(created).toHaveLength(1)
    expect(JSON.parse(created[0]?.payload ?? '{}')).toEqual(JSON.parse(EVENT))
    expect(door.refusals).toEqual([])
  })

  it('answers an event id sent again, signed anew, as a duplicate', async () => {
    const first = (await (await post(EVENT)).json()) as { id: string }
    const again = await post(EVENT, { 'fte-signature': signPayload(SECRET, EVENT, T + 30) })
    expect(await again.json()).toEqual({ id: first.id, duplicate: true })
    expect(await door.created()).toHaveLength(1)
  })

  it('refuses a replayed body with 409 and records it; one job only', async () => {
    const headers = { 'fte-signature': signPayload(SECRET, EVENT, T) }
    await post(EVENT, headers)
    const replay = await outcome(await post(EVENT, headers))
    expect(replay).toMatchObject({
      status: 409,
      body: { error: 'replayed' },
      refusals: [{ route: 'webhook', reason: 'replayed' }],
    })
    expect(replay.created).toHaveLength(1)
  })

  it.each([
    ['bad_signature', signPayload('not-the-helpdesk-secret', EVENT, T)],
    ['stale', signPayload(SECRET, EVENT, T - 3600)],
  ])('refuses %s with 401, recorded, no job', async (reason, signature) => {
    expect(await outcome(await post(EVENT, { 'fte-signature': signature }))).toMatchObject({
      status: 401,
      body: { error: reason },
      refusals: [{ route: 'webhook', reason }],
      created: [],
    })
  })

  it.each([
    ['a body that is not JSON', '{"kind":', /not JSON/],
    ['a missing field, by name', JSON.stringify({ kind: 'case_updated', data: {} }), /^.*\bid: /],
    [
      'data that is not an object',
      JSON.stringify({ kind: 'case_updated', id: 'e', data: [1] }),
      /data: /,
    ],
    [
      'a field it does not know',
      JSON.stringify({ kind: 'case_updated', id: 'e', data: {}, extra: 1 }),
      /"extra"/,
    ],
  ])('refuses %s with 400, naming what is wrong; recorded, no job', async (_what, body, says) => {
    const result = await outcome(await post(body))
    expect(result).toMatchObject({
      status: 400,
      body: { error: 'malformed' },
      refusals: [{ route: 'webhook', reason: 'malformed' }],
      created: [],
    })
    expect(result.body.message).toMatch(says)
  })

  it('refuses a kind the pack does not name with 422, listing the ones it does', async () => {
    const body = JSON.stringify({ kind: 'something_else', id: 'e1', data: {} })
    const result = await outcome(await post(body))
    expect(result).toMatchObject({
      status: 422,
      body: { error: 'unknown_kind' },
      refusals: [{ route: 'webhook', reason: 'unknown_kind' }],
      created: [],
    })
    expect(result.body.message).toContain('case_updated, payment_settled')
  })

  it('refuses a body past maxBytes with 413 before checking its signature', async () => {
    const big = JSON.stringify({ kind: 'case_updated', id: 'e', data: { x: 'y'.repeat(5000) } })
    expect(await outcome(await post(big))).toMatchObject({
      status: 413,
      body: { error: 'too_large' },
      refusals: [{ route: 'webhook', reason: 'too_large' }],
      created: [],
    })
  })

  it('answers 404 naming WEBHOOK_SECRET while no secret is set', async () => {
    const result = await outcome(
      await post(EVENT, undefined, { secrets: { email: ['x'.repeat(16)] } }),
    )
    expect(result).toMatchObject({ status: 404, refusals: [], created: [] })
    expect(result.body.message).toContain('WEBHOOK_SECRET')
  })

  it('refuses a foreign Host with 403, however well signed', async () => {
    const headers = { 'fte-signature': signPayload(SECRET, EVENT, T), host: 'evil.example.net' }
    expect(await outcome(await post(EVENT, headers))).toMatchObject({
      status: 403,
      refusals: [],
      created: [],
    })
  })
})
