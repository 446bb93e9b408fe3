import { Writable } from 'node:stream'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { describeEachDatabase, type TestDatabase } from '../../test/support/test-databases.ts'
import { createLogger } from '../lib/logger.ts'
import { createApp } from './app.ts'

const silent = createLogger({
  level: 'silent',
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
})

describeEachDatabase('GET /healthz', (target) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('migrated')
  })
  afterEach(() => db.close())

  it('answers 200 with the database status when the database answers', async () => {
    const response = await createApp({ db, logger: silent }).request('/healthz')
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({
      status: 'ok',
      database: { status: 'ok', kind: target.name, migrationsApplied: 11 },
    })
  })

  it('answers 503 and says why when the database is gone', async () => {
    const app = createApp({ db, logger: silent })
    await db.close()
    const response = await app.request('/healthz')
    expect(response.status).toBe(503)
    const body = (await response.json()) as { status: string; database: { error: string } }
    expect(body.status).toBe('unavailable')
    expect(body.database.error.length).toBeGreaterThan(0)
  })

  it('answers unknown paths with a JSON 404', async () => {
    const response = await createApp({ db, logger: silent }).request('/nope')
    expect(response.status).toBe(404)
    expect(await response.json()).toEqual({ error: 'not_found', message: 'No route for GET /nope' })
  })
})

describeEachDatabase('CORS on /api', (target) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('migrated')
  })
  afterEach(() => db.close())

  it('answers a listed origin’s preflight without a token, and no other origin', async () => {
    const app = createApp({
      db,
      logger: silent,
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
