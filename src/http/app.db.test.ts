import { Writable } from 'node:stream'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { describeEachDatabase, type TestDatabase } from '../../test/support/test-databases.ts'
import { createLogger } from '../lib/logger.ts'
import { createApp } from './app.ts'
import { RunningTurns } from './turn-stream.ts'

const PUBLIC_URL = 'http://127.0.0.1:3000'

const silent = createLogger({
  level: 'silent',
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
})

describeEachDatabase('GET /healthz', (target) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('fixture')
  })
  afterEach(() => db.close())

  it('answers 200 with the database status when the database answers', async () => {
    const response = await createApp({ db, logger: silent, publicUrl: PUBLIC_URL }).request(
      '/healthz',
    )
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({
      status: 'ok',
      database: { status: 'ok', kind: target.name, migrationsApplied: 17 },
    })
  })

  it('answers 503 and says why when the database is gone', async () => {
    const app = createApp({ db, logger: silent, publicUrl: PUBLIC_URL })
    await db.close()
    const response = await app.request('/healthz')
    expect(response.status).toBe(503)
    const body = (await response.json()) as { status: string; database: { error: string } }
    expect(body.status).toBe('unavailable')
    expect(body.database.error.length).toBeGreaterThan(0)
  })

  it('answers unknown paths with a JSON 404', async () => {
    const response = await createApp({ db, logger: silent, publicUrl: PUBLIC_URL }).request('/nope')
    expect(response.status).toBe(404)
    expect(await response.json()).toEqual({ error: 'not_found', message: 'No route for GET /nope' })
  })
})

describeEachDatabase('CORS on /api', (target) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('fixture')
  })
  afterEach(() => db.close())

  it('answers a listed origin’s preflight without a token, and no other origin', async () => {
    const app = createApp({
      db,
      logger: silent,
      publicUrl: PUBLIC_URL,
      api: {
        verify: () => Promise.reject(new Error('no token is verified in this test')),
        logger: silent,
      },
      corsOrigins: ['https://app.example.com'],
    })
    const preflight = (origin: string) =>
      app.request('/api/chat', {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      })
    const listed = await preflight('https://app.example.com')
    expect(listed.status).toBe(204)
    expect(listed.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
    expect(listed.headers.get('access-control-allow-headers')).toContain('authorization')
    const other = await preflight('https://evil.example')
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
    // The preflight opens nothing: the request itself still needs a token.
    const unsigned = await app.request('/api/me', {
      headers: { origin: 'https://app.example.com' },
    })
    expect(unsigned.status).toBe(401)
    expect(unsigned.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
  })
})

describeEachDatabase('refusals for scope on /api', (target) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('fixture')
  })
  afterEach(() => db.close())

  it('answers a path holding non-Latin-1 text or an encoded NUL with a clean 403 whose challenge is a valid header', async () => {
    const app = createApp({
      db,
      logger: silent,
      publicUrl: PUBLIC_URL,
      // A token proving who is calling, with no scope at all.
      api: {
        verify: () => Promise.resolve({ sub: 'demo|maya-okafor', role: 'customer', scopes: [] }),
        logger: silent,
      },
      chat: {
        db,
        worker: undefined,
        rateLimit: { perMinute: 60, burst: 10 },
        maxMessageChars: 1000,
        logger: silent,
        running: new RunningTurns(),
      },
    })
    for (const path of ['/api/caf\u00e9-\u20ac-\u{1F600}', '/api/a%00b', '/api/%ED%A0%80']) {
      const response = await app.request(
        new Request(`${PUBLIC_URL}${path}`, { headers: { authorization: 'Bearer any' } }),
      )
      expect(response.status, path).toBe(403)
      const challenge = response.headers.get('www-authenticate') ?? ''
      expect(challenge, path).toMatch(/^Bearer realm="digital-fte", error="insufficient_scope"/)
      expect(challenge, path).toMatch(/^[\x20-\x7e]+$/)
      expect(await response.json(), path).toMatchObject({
        error: 'insufficient_scope',
        scope: 'read',
      })
    }
  })
})
