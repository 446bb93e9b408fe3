import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { fixturePack } from '../../test/fixture-pack/index.ts'
import { ADA, BEN, ROSA } from '../../test/fixture-pack/people.ts'
import { begin, call, connect, testGateway } from '../../test/support/gateway-client.ts'
import { serveGatewayOverHttp } from '../../test/support/gateway-http.ts'
import { reply, scriptedModel } from '../../test/support/scripted-model.ts'
import type { ScriptedOpenAiServer } from '../../test/support/scripted-openai-server.ts'
import { openSse } from '../../test/support/sse.ts'
import { describeEachDatabase, type TestDatabase } from '../../test/support/test-databases.ts'

describeEachDatabase('the staff API', (target) => {
  let db: TestDatabase
  let model: ScriptedOpenAiServer
  let keyDir: string
  let served: Awaited<ReturnType<typeof serveGatewayOverHttp>>
  const send = (method: 'GET' | 'POST', path: string, token: string, body?: unknown) =>
    served.send(method, path, token, body)

  beforeEach(async () => {
    db = await target.open('fixture')
    await fixturePack.loadDemoData?.(db)
    model = await scriptedModel().start()
    keyDir = await mkdtemp(join(tmpdir(), 'fte-staff-api-'))
    served = await serveGatewayOverHttp(db, keyDir, {
      pack: fixturePack,
      person: ADA.sub,
      chat: { model },
    })
  })
  afterEach(async () => {
    await served.close()
    await model.stop()
    await db.close()
    await rm(keyDir, { recursive: true, force: true })
  })

  /** Ada, over MCP, asks to cancel a booking that has begun: a request for staff. */
  async function lateCancel(): Promise<string> {
    await db.query(
      `INSERT INTO bookings (user_id, number, room, day) VALUES ($1, 9, 'Dune', current_date)`,
      [ADA.sub],
    )
    const client = await connect(await testGateway(db, { pack: fixturePack }), ADA)
    const answer = await call(client, 'domain_cancel_booking', {
      session: await begin(client),
      booking: '9',
      reason: 'Plans changed',
    })
    expect(answer.data).toMatchObject({ status: 'pending_review' })
    return String(answer.data.request_id)
  }

  const cancelled = async () =>
    (await db.query<{ cancelled: boolean }>('SELECT cancelled FROM bookings WHERE number = 9'))
      .rows[0]?.cancelled

  it('answers a customer 403 on every staff route, and lets no customer decide a staff request', async () => {
    const requestId = await lateCancel()
    const ada = await served.apiToken(ADA.sub)
    const ben = await served.apiToken(BEN.sub)
    const routes: Array<['GET' | 'POST', string, unknown?]> = [
      ['GET', '/api/staff/inbox'],
      ['GET', '/api/staff/metrics?days=7'],
      ['GET', '/api/staff/conversations'],
      ['GET', '/api/staff/inbox/events'],
      ['POST', `/api/staff/inbox/request:${requestId}/claim`],
      ['POST', `/api/staff/inbox/request:${requestId}/unclaim`],
      ['POST', `/api/staff/inbox/request:${requestId}/actions/approve`, {}],
      ['POST', '/api/conversations/3b9d6f2a-1c4e-4f70-8a5b-6d2e0c9f1a7b/takeover'],
      ['POST', '/api/conversations/3b9d6f2a-1c4e-4f70-8a5b-6d2e0c9f1a7b/messages', { text: 'hi' }],
      ['POST', '/api/conversations/3b9d6f2a-1c4e-4f70-8a5b-6d2e0c9f1a7b/release'],
    ]
    for (const [method, path, body] of routes) {
      const response = await send(method, path, ada, body)
      expect(response.status, `${method} ${path}`).toBe(403)
      expect(await response.json()).toMatchObject({ error: 'forbidden' })
    }
    // Deciding through the approvals route: Ada's own request is forbidden, Ben's is not found.
    const own = await send('POST', `/api/approvals/${requestId}`, ada, { decision: 'approve' })
    expect(own.status).toBe(403)
    const other = await send('POST', `/api/approvals/${requestId}`, ben, { decision: 'approve' })
    expect(other.status).toBe(404)
    expect(await cancelled()).toBe(false)
    const { rows } = await db.query(`SELECT status FROM staff_requests WHERE id = $1`, [requestId])
    expect(rows).toEqual([{ status: 'pending' }])
  })

  it('shows a waiting request in the inbox, lets one person claim it, and decides it once through POST /api/approvals/{id}', async () => {
    const requestId = await lateCancel()
    const rosa = await served.apiToken(ROSA.sub, 'staff')
    const other = await served.apiToken('demo|sam-staff', 'staff')
    const inbox = (await (await send('GET', '/api/staff/inbox', rosa)).json()) as {
      items: Array<{ id: string; kind: string; title: string; claimedBy: unknown }>
    }
    expect(inbox.items).toEqual([
      expect.objectContaining({
        id: `request:${requestId}`,
        kind: 'request',
        title: expect.stringContaining('Cancel booking #9'),
        claimedBy: null,
      }),
    ])
    const item = `request:${requestId}`
    const claim = await send('POST', `/api/staff/inbox/${item}/claim`, rosa)
    expect(claim.status, await claim.clone().text()).toBe(200)
    expect((await send('POST', `/api/staff/inbox/${item}/claim`, other)).status).toBe(409)
    const claimed = (await (await send('GET', '/api/staff/inbox', other)).json()) as {
      items: Array<{ claimedBy: { sub: string } | null }>
    }
    expect(claimed.items[0]?.claimedBy?.sub).toBe(ROSA.sub)

    const decided = await send('POST', `/api/approvals/${requestId}`, rosa, {
      decision: 'approve',
      reason: 'The room is free',
    })
    expect(decided.status).toBe(200)
    expect(await decided.json()).toMatchObject({
      request: { status: 'approved', decidedBy: { sub: ROSA.sub } },
    })
    expect(await cancelled()).toBe(true)
    const again = await send('POST', `/api/approvals/${requestId}`, other, {
      decision: 'reject',
      reason: 'no',
    })
    expect(again.status).toBe(409)
    const { rows } = await db.query<{ action: string; actor: string }>(
      `SELECT action, actor FROM audit_log
       WHERE action IN ('staff_request_routed', 'inbox_claimed', 'staff_request_decided', 'booking_cancelled')
       ORDER BY id`,
    )
    expect(rows).toEqual([
      { action: 'staff_request_routed', actor: `gateway:${ADA.sub}` },
      { action: 'inbox_claimed', actor: `staff:${ROSA.sub}` },
      { action: 'booking_cancelled', actor: `gateway:${ROSA.sub}` },
      { action: 'staff_request_decided', actor: `staff:${ROSA.sub}` },
    ])
    const empty = (await (await send('GET', '/api/staff/inbox', rosa)).json()) as {
      items: unknown[]
    }
    expect(empty.items).toEqual([])
  })

  it("says, on deciding from the inbox, what came of the call: the tool's own answer", async () => {
    const requestId = await lateCancel()
    const rosa = await served.apiToken(ROSA.sub, 'staff')
    const decided = await send(
      'POST',
      `/api/staff/inbox/request:${requestId}/actions/approve`,
      rosa,
      {
        reason: 'The room is free',
      },
    )
    expect(decided.status).toBe(200)
    const body = (await decided.json()) as { message: string; request: { status: string } }
    expect(body.request.status).toBe('approved')
    expect(body.message).toMatch(/^Request approved\. Cancelled booking #9 \(Dune on /)
    expect(await cancelled()).toBe(true)
  })

  it('takes a conversation over, replies as a person and hands it back, live on the customer side', async () => {
    const ada = await served.apiToken(ADA.sub)
    const rosa = await served.apiToken(ROSA.sub, 'staff')
    model.enqueue(reply({ text: 'Hello Ada, how can I help?' }))
    const first = await send('POST', '/api/chat', ada, { message: 'Hi there' })
    const conversationId = /"conversationId":"([0-9a-f-]{36})"/.exec(await first.text())?.[1] ?? ''
    const live = await openSse(`${served.url}/api/conversations/${conversationId}/events`, {
      authorization: `Bearer ${ada}`,
    })
    expect(live.status).toBe(200)
    await live.next((e) => e.event === 'ready', 'the ready event')

    expect(
      (await send('POST', `/api/conversations/${conversationId}/messages`, rosa, { text: 'x' }))
        .status,
    ).toBe(409)
    expect((await send('POST', `/api/conversations/${conversationId}/takeover`, rosa)).status).toBe(
      200,
    )
    const hold = await live.next(
      (e) => e.event === 'change' && e.data.includes('"hold"'),
      'the hold',
    )
    expect(JSON.parse(hold.data)).toMatchObject({ kind: 'hold', held: true, by: { sub: ROSA.sub } })

    // Ada writes while held: the message goes to Rosa; the model is not asked.
    const waiting = model.pending
    const held = await (
      await send('POST', '/api/chat', ada, {
        message: 'Is anyone there?',
        conversation_id: conversationId,
      })
    ).text()
    expect(held).toContain('"type":"held"')
    expect(model.pending).toBe(waiting)

    const replied = await send('POST', `/api/conversations/${conversationId}/messages`, rosa, {
      text: 'Rosa here, I can help.',
    })
    expect(replied.status).toBe(200)
    const message = await live.next(
      (e) => e.event === 'change' && e.data.includes('Rosa here'),
      "Rosa's message",
    )
    expect(JSON.parse(message.data)).toMatchObject({
      kind: 'message',
      message: { role: 'assistant', author: { sub: ROSA.sub }, text: 'Rosa here, I can help.' },
    })
    const staffView = (await (
      await send('GET', `/api/conversations/${conversationId}`, rosa)
    ).json()) as {
      held: { sub: string } | null
    }
    expect(staffView.held?.sub).toBe(ROSA.sub)
    expect((await send('POST', `/api/conversations/${conversationId}/release`, rosa)).status).toBe(
      200,
    )
    await live.next((e) => e.event === 'change' && e.data.includes('"held":false'), 'the hand-back')
    live.close()

    model.enqueue(reply({ text: 'Back with you: anything else?' }))
    const after = await (
      await send('POST', '/api/chat', ada, { message: 'Thanks', conversation_id: conversationId })
    ).text()
    expect(after).toContain('Back with you')
    const { rows } = await db.query<{ action: string }>(
      `SELECT action FROM audit_log WHERE conversation_id = $1
       AND action IN ('handoff_started', 'person_message', 'handoff_ended') ORDER BY id`,
      [conversationId],
    )
    expect(rows.map((r) => r.action)).toEqual([
      'handoff_started',
      'person_message',
      'handoff_ended',
    ])
  })

  it('serves the metrics of a period, each with the query that computed it', async () => {
    const rosa = await served.apiToken(ROSA.sub, 'staff')
    expect((await send('GET', '/api/staff/metrics?days=0', rosa)).status).toBe(400)
    const response = await send('GET', '/api/staff/metrics?days=30', rosa)
    expect(response.status, await response.clone().text()).toBe(200)
    const body = (await response.json()) as {
      days: number
      figures: Array<{ name: string; query: string; rows: unknown[] }>
    }
    expect(body.days).toBe(30)
    expect(body.figures.map((f) => f.name)).toContain('conversations')
    for (const figure of body.figures) expect(figure.query).toMatch(/^SELECT /)
  })
})
