import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { fixturePack } from '../../test/fixture-pack/index.ts'
import { ADA } from '../../test/fixture-pack/people.ts'
import { testGateway } from '../../test/support/gateway-client.ts'
import { reply, scriptedModel } from '../../test/support/scripted-model.ts'
import type { ScriptedOpenAiServer } from '../../test/support/scripted-openai-server.ts'
import { describeEachDatabase, type TestDatabase } from '../../test/support/test-databases.ts'
import { testWorker } from '../../test/support/worker-fixture.ts'
import { inProcessAccess } from '../agent/gateway-access.ts'
import type { Worker } from '../agent/worker.ts'
import { devIssuer, devTokenVerifier, issueDevToken } from '../auth/dev-token.ts'
import { createLogger } from '../lib/logger.ts'
import { packScopes } from '../pack/domain-pack.ts'
import type { Handlers } from './listen.ts'
import { servedHandlers, servedResources } from './served-handlers.ts'
import { RunningTurns } from './turn-stream.ts'

const PUBLIC_URL = 'http://127.0.0.1:3000'
const CORS_ORIGIN = 'https://app.example.com'
const logger = createLogger({ level: 'silent' })

/** What a page on another site, or a rebound DNS name, sends with each request. */
const FOREIGN = [
  { host: 'attacker.example:3000' },
  { host: '127.0.0.1:3000', origin: 'https://attacker.example' },
  { host: '127.0.0.1:3000', origin: 'null' },
]

const SOME_APPROVAL = '/api/approvals/6f1c2f0e-5a7b-4c1d-9e2f-0a1b2c3d4e5f'

describeEachDatabase('the walls every route of fte serve stands behind', (target) => {
  let db: TestDatabase
  let model: ScriptedOpenAiServer
  let keyDir: string
  let worker: Worker
  let running: RunningTurns

  beforeEach(async () => {
    db = await target.open('fixture')
    await fixturePack.loadDemoData?.(db)
    model = await scriptedModel().start()
    keyDir = await mkdtemp(join(tmpdir(), 'fte-walls-'))
    running = new RunningTurns()
  })
  afterEach(async () => {
    await running.settle(10_000)
    await worker?.close()
    await model.stop()
    await db.close()
    await rm(keyDir, { recursive: true, force: true })
  })

  /** `fte serve`'s handlers with a Worker on the scripted model, signed in or AUTH_DISABLED. */
  async function serve(signIn: 'tokens' | 'disabled') {
    const gateway = await testGateway(db, { pack: fixturePack, logger })
    worker = await testWorker(db, model, { pack: fixturePack, gateway: inProcessAccess(gateway) })
    const issuer = await devIssuer(keyDir, 'http://127.0.0.1:1')
    const resources = servedResources(PUBLIC_URL)
    const handlers: Required<Handlers> = servedHandlers({
      scopes: packScopes(fixturePack),
      db,
      logger,
      gateway,
      publicUrl: PUBLIC_URL,
      corsOrigins: [CORS_ORIGIN],
      access:
        signIn === 'disabled'
          ? { standIn: ADA }
          : {
              issuer: issuer.url,
              verify: devTokenVerifier(issuer, resources),
              mcpAudience: resources[0],
            },
      chat: {
        db,
        worker,
        rateLimit: { perMinute: 1000, burst: 1000 },
        maxMessageChars: 5000,
        logger,
        running,
      },
    })
    const token =
      signIn === 'disabled'
        ? undefined
        : await issueDevToken(issuer, {
            sub: ADA.sub,
            role: 'customer',
            ttlSeconds: 600,
            audience: resources[1],
            scopes: ADA.scopes,
          })
    return (
      path: string,
      init: { method?: string; headers?: Record<string, string>; body?: string } = {},
    ) => {
      const request = new Request(`${PUBLIC_URL}${path}`, {
        method: init.method ?? 'GET',
        headers: {
          host: '127.0.0.1:3000',
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
          ...init.headers,
        },
        ...(init.body === undefined ? {} : { body: init.body }),
      })
      return path === '/mcp' ? handlers.mcp(request) : handlers.fetch(request)
    }
  }

  const chatRows = async () =>
    (
      await db.query<{ conversations: number; messages: number }>(
        `SELECT (SELECT count(*) FROM conversations)::int AS conversations,
                (SELECT count(*) FROM messages)::int AS messages`,
      )
    ).rows[0]

  const chatPost = (headers: Record<string, string>) => ({
    method: 'POST',
    headers,
    body: JSON.stringify({ message: 'Is my booking #1 still on?' }),
  })

  for (const signIn of ['tokens', 'disabled'] as const) {
    it(`refuses a foreign Host or Origin with 403 on the page, its files, /api and /mcp, and writes no chat rows (sign-in: ${signIn})`, async () => {
      const request = await serve(signIn)
      const before = await chatRows()
      const answered: Record<string, number> = {}
      for (const headers of FOREIGN) {
        const json = { ...headers, 'content-type': 'application/json' }
        const what = (path: string) => `${path} ${JSON.stringify(headers)}`
        const chat = await request('/api/chat', chatPost(json))
        await chat.text()
        answered[what('/api/chat')] = chat.status
        const decision = await request(SOME_APPROVAL, {
          ...chatPost(json),
          body: '{"decision":"approve"}',
        })
        answered[what(SOME_APPROVAL)] = decision.status
        answered[what('/mcp')] = (await request('/mcp', chatPost(json))).status
        for (const path of ['/', '/app/app.js', '/app/config.json', '/api/me', '/api/approvals']) {
          answered[what(path)] = (await request(path, { headers })).status
        }
      }
      await running.settle(10_000)
      expect(await chatRows()).toEqual(before)
      expect(model.requests).toHaveLength(0)
      expect(Object.entries(answered).filter(([, status]) => status !== 403)).toEqual([])
    })

    it(`refuses a chat POST that is not application/json with 415 and writes nothing, and takes JSON with a charset (sign-in: ${signIn})`, async () => {
      const request = await serve(signIn)
      const before = await chatRows()
      const answered: Record<string, number> = {}
      for (const type of [
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data',
      ]) {
        const refused = await request('/api/chat', chatPost({ 'content-type': type }))
        answered[type] = refused.status
        await refused.text()
      }
      // A string body without a type goes out as text/plain, as a form or a beacon would send it.
      const untyped = await request(SOME_APPROVAL, {
        method: 'POST',
        body: '{"decision":"approve"}',
      })
      answered.untyped = untyped.status
      await running.settle(10_000)
      expect(await chatRows()).toEqual(before)
      expect(answered).toEqual({
        'text/plain': 415,
        'application/x-www-form-urlencoded': 415,
        'multipart/form-data': 415,
        untyped: 415,
      })
      expect(await untyped.json()).toMatchObject({ error: 'unsupported_media_type' })

      model.enqueue(reply({ text: 'Booking #1 is still on.' }))
      const taken = await request(
        '/api/chat',
        chatPost({ 'content-type': 'Application/JSON; charset=utf-8' }),
      )
      expect(taken.status).toBe(200)
      expect(await taken.text()).toContain('Booking #1 is still on.')
      await running.settle(10_000)
      const after = await chatRows()
      expect(after?.conversations).toBe((before?.conversations ?? 0) + 1)
      expect(after?.messages).toBeGreaterThan(before?.messages ?? 0)
    })
  }

  it('answers its own names, same-origin pages and CORS_ORIGINS, and health and sign-in metadata to any Host', async () => {
    const request = await serve('tokens')
    for (const headers of [
      { host: 'localhost:3000', origin: 'http://localhost:3000' },
      { host: '127.0.0.1:3000', origin: PUBLIC_URL },
      { host: '[::1]:3000' },
      { host: '127.0.0.1:3000', origin: CORS_ORIGIN },
    ]) {
      for (const path of ['/', '/app/app.js', '/api/me']) {
        expect((await request(path, { headers })).status, `${path} ${headers.host}`).toBe(200)
      }
    }
    const preflight = await request('/api/chat', {
      method: 'OPTIONS',
      headers: {
        origin: CORS_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe(CORS_ORIGIN)

    for (const headers of FOREIGN) {
      expect((await request('/healthz', { headers })).status).toBe(200)
      for (const path of [
        '/.well-known/oauth-protected-resource',
        '/.well-known/oauth-protected-resource/mcp',
      ]) {
        expect((await request(path, { headers })).status, path).toBe(200)
      }
    }
  })
})
