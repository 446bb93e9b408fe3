import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { fixturePack } from '../../test/fixture-pack/index.ts'
import { ADA, BEN } from '../../test/fixture-pack/people.ts'
import { type ChatApiFixture, serveGatewayOverHttp } from '../../test/support/gateway-http.ts'
import { reply, scriptedModel } from '../../test/support/scripted-model.ts'
import type { ScriptedOpenAiServer } from '../../test/support/scripted-openai-server.ts'
import { parseSse } from '../../test/support/sse.ts'
import { describeEachDatabase, type TestDatabase } from '../../test/support/test-databases.ts'
import { DONE } from './turn-stream.ts'

const lookupThenReply = (model: ScriptedOpenAiServer) =>
  model.enqueue(
    reply({ toolCalls: [{ name: 'domain_get_booking', arguments: { booking: 1 } }] }),
    reply({ text: 'Booking #1 is still on, in the Aurora room.' }),
  )

describeEachDatabase('the chat API', (target) => {
  let db: TestDatabase
  let model: ScriptedOpenAiServer
  let keyDir: string
  let served: Awaited<ReturnType<typeof serveGatewayOverHttp>>
  const serve = async (chat: Partial<ChatApiFixture> = {}) => {
    served = await serveGatewayOverHttp(db, keyDir, {
      pack: fixturePack,
      person: ADA.sub,
      chat: { model, ...chat },
    })
    return served
  }
  const post = async (path: string, body: unknown, token?: string) =>
    fetch(`${served.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })
  const get = async (path: string, token: string) =>
    fetch(`${served.url}${path}`, { headers: { authorization: `Bearer ${token}` } })

  beforeEach(async () => {
    db = await target.open('fixture')
    await fixturePack.loadDemoData?.(db)
    model = await scriptedModel().start()
    keyDir = await mkdtemp(join(tmpdir(), 'fte-chat-api-'))
  })
  afterEach(async () => {
    await served?.close()
    await model.stop()
    await db.close()
    await rm(keyDir, { recursive: true, force: true })
  })

  it('streams a turn as ordered, numbered events ending in [DONE], and stores it', async () => {
    await serve()
    const token = await served.apiToken()
    lookupThenReply(model)
    const response = await post('/api/chat', { message: 'Is my booking #1 still on?' }, token)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/event-stream')
    const events = parseSse(await response.text())
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => String(i + 1)))
    const types = events.map((e) => e.event).filter((t) => t !== 'text_delta')
    expect(types).toEqual([
      'turn_started',
      'tool_call',
      'tool_result',
      'message',
      'turn_ended',
      'done',
    ])
    expect(events.at(-1)?.data).toBe(DONE)
    const deltas = events.filter((e) => e.event === 'text_delta')
    expect(deltas.map((e) => JSON.parse(e.data).delta).join('')).toBe(
      'Booking #1 is still on, in the Aurora room.',
    )
    const started = JSON.parse(events[0]?.data ?? '{}') as { conversationId: string }
    const toolResult = JSON.parse(events.find((e) => e.event === 'tool_result')?.data ?? '{}')
    expect(toolResult).toMatchObject({ name: 'domain_get_booking', status: 'ok' })
    // What a customer reads of the call, in the tool's own words (the model sent the number bare).
    const toolCall = JSON.parse(events.find((e) => e.event === 'tool_call')?.data ?? '{}')
    expect(toolCall.activity).toBe('Looking up booking #1…')
    expect(toolResult.summary).toContain('Aurora')

    const listed = (await (await get('/api/conversations', token)).json()) as {
      conversations: Array<{ id: string; title: string; messages: number }>
    }
    expect(listed.conversations).toContainEqual(
      expect.objectContaining({
        id: started.conversationId,
        // What it is about, from the call's topic: not the first message.
        title: 'Booking #1',
        messages: 2,
      }),
    )
    const detail = (await (
      await get(`/api/conversations/${started.conversationId}`, token)
    ).json()) as { entries: Array<{ kind: string; role: string; name: string | null }> }
    expect(detail.entries.map((e) => `${e.kind}:${e.role}`)).toEqual([
      'message:user',
      'tool_call:assistant',
      'tool_result:tool',
      'message:assistant',
    ])
    const audit = (await (
      await get(`/api/conversations/${started.conversationId}/audit`, token)
    ).json()) as { events: Array<{ kind: string; action?: string; role?: string }> }
    const actions = audit.events.filter((e) => e.kind === 'audit').map((e) => e.action)
    expect(actions[0]).toBe('session_started')
    expect(actions).toContain('message_received')
    expect(actions.at(-1)).toBe('message_sent')
    // The turn's one closing write keeps the order: the reply, then message_sent last of all.
    expect(audit.events.at(-1)).toMatchObject({ kind: 'audit', action: 'message_sent' })
    expect(audit.events.at(-2)).toMatchObject({ kind: 'message', role: 'assistant' })
  })

  it('asks for a token, refuses another user’s path, and hides other users’ conversations', async () => {
    await serve()
    const unsigned = await post('/api/chat', { message: 'hi' })
    expect(unsigned.status).toBe(401)
    expect(unsigned.headers.get('www-authenticate')).toMatch(/^Bearer .*resource_metadata="/)

    const ada = await served.apiToken(ADA.sub)
    const ben = await served.apiToken(BEN.sub)
    const elsewhere = await post(`/api/${encodeURIComponent(BEN.sub)}/chat`, { message: 'hi' }, ada)
    expect(elsewhere.status).toBe(403)
    expect(await elsewhere.json()).toMatchObject({ error: 'forbidden' })

    lookupThenReply(model)
    const own = await post(
      `/api/${encodeURIComponent(ADA.sub)}/chat`,
      { message: 'Booking #1?' },
      ada,
    )
    expect(own.status).toBe(200)
    const [first] = parseSse(await own.text())
    const { conversationId } = JSON.parse(first?.data ?? '{}') as { conversationId: string }

    for (const path of [
      `/api/conversations/${conversationId}`,
      `/api/conversations/${conversationId}/audit`,
    ]) {
      const response = await get(path, ben)
      expect(response.status).toBe(404)
      expect(await response.json()).toMatchObject({ error: 'not_found' })
    }
    const resumed = await post(
      '/api/chat',
      { conversation_id: conversationId, message: 'and?' },
      ben,
    )
    expect(resumed.status).toBe(404)
    const theirs = (await (await get('/api/conversations', ben)).json()) as {
      conversations: Array<{ id: string }>
    }
    expect(theirs.conversations.map((c) => c.id)).not.toContain(conversationId)
    // Nothing was asked of the model for Ben.
    expect(model.requests.filter((r) => r.path.endsWith('/chat/completions'))).toHaveLength(2)
  })

  it('says what is wrong with a bad body, as JSON with a stable code', async () => {
    await serve()
    const token = await served.apiToken()
    for (const [body, expected] of [
      ['not json', 'must be JSON'],
      [{ message: '' }, 'must not be empty'],
      [{ message: 'x'.repeat(5001) }, 'at most 5000'],
      [{ message: 'hi', conversation_id: 'nope' }, 'conversation id'],
      [{ message: 'hi', extra: 1 }, ''],
      [{ message: 'booking\u0000 #1' }, 'NUL character'],
      [{ message: 'booking \ud800' }, 'unpaired surrogate'],
    ] as const) {
      const response = await post('/api/chat', body, token)
      expect(response.status).toBe(400)
      const answer = (await response.json()) as { error: string; message: string }
      expect(answer.error).toBe('invalid_input')
      expect(answer.message).toContain(expected)
    }
    const huge = await post('/api/chat', { message: 'x'.repeat(100_000) }, token)
    expect(huge.status).toBe(413)
    expect(await huge.json()).toMatchObject({ error: 'too_large' })
    expect(model.requests).toHaveLength(0)
  })

  it('finishes and stores a turn whose client went away after the first event', async () => {
    await serve()
    const token = await served.apiToken()
    lookupThenReply(model)
    const response = await post('/api/chat', { message: 'Is my booking #1 still on?' }, token)
    const reader = response.body?.getReader()
    const first = await reader?.read()
    const text = new TextDecoder().decode(first?.value)
    const { conversationId } = JSON.parse(parseSse(text)[0]?.data ?? '{}') as {
      conversationId: string
    }
    await reader?.cancel()
    expect(await served.running.settle(10_000)).toBe(0)
    const { rows } = await db.query<{ role: string; content: string }>(
      `SELECT role, content FROM messages WHERE conversation_id = $1 ORDER BY seq`,
      [conversationId],
    )
    expect(rows.at(-1)).toEqual({
      role: 'assistant',
      content: 'Booking #1 is still on, in the Aurora room.',
    })
    const { rows: sent } = await db.query(
      `SELECT 1 FROM audit_log WHERE conversation_id = $1 AND action = 'message_sent'`,
      [conversationId],
    )
    expect(sent).toHaveLength(1)
  })

  it('limits each user’s turns, with Retry-After, and starts none over the limit', async () => {
    await serve({ rateLimit: { perMinute: 2, burst: 2 } })
    const ada = await served.apiToken(ADA.sub)
    for (let i = 0; i < 2; i++) {
      model.enqueue(reply({ text: 'Hello!' }))
      const ok = await post('/api/chat', { message: 'hello' }, ada)
      expect(ok.status).toBe(200)
      await ok.text()
    }
    const refused = await post('/api/chat', { message: 'hello' }, ada)
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(30)
    expect(await refused.json()).toMatchObject({ error: 'rate_limited' })
    expect(model.requests).toHaveLength(2)
    // Another user has a budget of their own.
    model.enqueue(reply({ text: 'Hello!' }))
    const other = await post('/api/chat', { message: 'hello' }, await served.apiToken(BEN.sub))
    expect(other.status).toBe(200)
    await other.text()
  })

  it('pauses for an approval and resumes on a decision sent to /api/approvals', async () => {
    await serve()
    const token = await served.apiToken()
    model.enqueue(
      reply({
        toolCalls: [
          {
            name: 'domain_cancel_booking',
            arguments: { booking: 2, reason: 'the meeting moved online' },
          },
        ],
      }),
    )
    const paused = parseSse(
      await (await post('/api/chat', { message: 'Please cancel booking #2.' }, token)).text(),
    )
    const requested = paused.find((e) => e.event === 'approval_requested')
    expect(requested).toBeDefined()
    const { approvalId, conversationId } = JSON.parse(requested?.data ?? '{}') as {
      approvalId: string
      conversationId: string
    }
    expect(JSON.parse(paused.find((e) => e.event === 'turn_ended')?.data ?? '{}')).toMatchObject({
      status: 'paused',
    })
    const waiting = (await (await get('/api/approvals', token)).json()) as {
      approvals: Array<{ id: string }>
    }
    expect(waiting.approvals.map((a) => a.id)).toEqual([approvalId])

    const stranger = await served.apiToken(BEN.sub)
    expect(
      (await post(`/api/approvals/${approvalId}`, { decision: 'approve' }, stranger)).status,
    ).toBe(404)

    model.enqueue(reply({ text: 'I have not cancelled booking #2, as you decided.' }))
    const resumed = parseSse(
      await (
        await post(`/api/approvals/${approvalId}`, { decision: 'reject', reason: 'not yet' }, token)
      ).text(),
    )
    expect(resumed.map((e) => e.event)).toContain('approval_recorded')
    expect(JSON.parse(resumed.find((e) => e.event === 'turn_ended')?.data ?? '{}')).toMatchObject({
      conversationId,
      status: 'completed',
    })
    const again = await post(`/api/approvals/${approvalId}`, { decision: 'approve' }, token)
    expect(again.status).toBe(404)
  })

  it('says no model is configured, and how to configure one, instead of failing obscurely', async () => {
    served = await serveGatewayOverHttp(db, keyDir, {
      pack: fixturePack,
      person: ADA.sub,
      chat: { model: undefined },
    })
    const token = await served.apiToken()
    const status = (await (await get('/api/worker', token)).json()) as {
      ready: boolean
      problem: string
    }
    expect(status).toMatchObject({ ready: false })
    expect(status.problem).toContain('no model is configured')
    const refused = await post('/api/chat', { message: 'hello' }, token)
    expect(refused.status).toBe(503)
    expect(await refused.json()).toMatchObject({ error: 'model_not_configured' })
  })
})
