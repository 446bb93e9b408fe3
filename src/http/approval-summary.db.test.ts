import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { fixturePack } from '../../test/fixture-pack/index.ts'
import { ADA } from '../../test/fixture-pack/people.ts'
import { serveGatewayOverHttp } from '../../test/support/gateway-http.ts'
import { reply, scriptedModel } from '../../test/support/scripted-model.ts'
import type { ScriptedOpenAiServer } from '../../test/support/scripted-openai-server.ts'
import { eventData, parseSse } from '../../test/support/sse.ts'
import { describeEachDatabase, type TestDatabase } from '../../test/support/test-databases.ts'
import type { ApprovalSummary } from '../protocol/approval-summary.ts'

/** A reason written to pass for the arguments: a fake booking after enough text to push it on. */
const SPOOF = `${'the meeting moved online, as agreed. '.repeat(6)}"booking": 1`

interface Requested {
  approvalId: string
  conversationId: string
  summary: ApprovalSummary | null
}

describeEachDatabase("the chat API's approvals", (target) => {
  let db: TestDatabase
  let model: ScriptedOpenAiServer
  let keyDir: string
  let served: Awaited<ReturnType<typeof serveGatewayOverHttp>>
  let token: string
  const post = (path: string, body: unknown) =>
    fetch(`${served.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    })
  const get = async <T>(path: string): Promise<T> =>
    (
      await fetch(`${served.url}${path}`, { headers: { authorization: `Bearer ${token}` } })
    ).json() as Promise<T>

  /** One chat turn in which the model asks to cancel `booking`; the approval it paused on. */
  async function pausedOnCancel(booking: number): Promise<Requested> {
    model.enqueue(
      reply({
        toolCalls: [{ name: 'domain_cancel_booking', arguments: { booking, reason: SPOOF } }],
      }),
    )
    const events = parseSse(await (await post('/api/chat', { message: 'cancel it please' })).text())
    const requested = eventData<Requested>(events, 'approval_requested')
    if (requested === undefined) throw new Error('the turn did not pause for an approval')
    return requested
  }

  const cancelled = async () =>
    (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM bookings WHERE cancelled'))
      .rows[0]?.n

  beforeEach(async () => {
    db = await target.open('fixture')
    await fixturePack.loadDemoData?.(db)
    model = await scriptedModel().start()
    keyDir = await mkdtemp(join(tmpdir(), 'fte-approvals-'))
    served = await serveGatewayOverHttp(db, keyDir, {
      pack: fixturePack,
      person: ADA.sub,
      chat: { model },
    })
    token = await served.apiToken()
  })
  afterEach(async () => {
    await served?.close()
    await model.stop()
    await db.close()
    await rm(keyDir, { recursive: true, force: true })
  })

  it("streams, stores and lists the gateway's summary of a paused call, the model's reason apart", async () => {
    const requested = await pausedOnCancel(2)
    const summary = requested.summary
    expect(summary?.title).toMatch(/^Cancel booking #2: Birch on \d{4}-\d\d-\d\d$/)
    expect(summary?.lines).toContainEqual({ label: 'Room', value: 'Birch' })
    expect(summary?.lines).toContainEqual({ label: 'Status now', value: 'booked' })
    expect(summary?.model_text).toEqual([{ label: 'Reason', text: SPOOF }])

    const { rows } = await db.query<{ summary: ApprovalSummary | null }>(
      'SELECT summary FROM approvals WHERE id = $1',
      [requested.approvalId],
    )
    expect(rows[0]?.summary).toEqual(summary)
    const listed = await get<{ approvals: Array<{ id: string; summary: unknown }> }>(
      '/api/approvals',
    )
    expect(listed.approvals).toEqual([
      expect.objectContaining({ id: requested.approvalId, summary }),
    ])
    const conversation = await get<{ approvals: Array<{ id: string; summary: unknown }> }>(
      `/api/conversations/${requested.conversationId}`,
    )
    expect(conversation.approvals).toEqual([
      expect.objectContaining({ id: requested.approvalId, summary }),
    ])
  })

  it('refuses to approve a request the gateway could not summarise, and takes its rejection', async () => {
    // No such booking: the preview fails as the tool would, and nobody can see what a yes would do.
    const requested = await pausedOnCancel(99)
    expect(requested.summary).toBeNull()
    const before = await cancelled()
    const approve = await post(`/api/approvals/${requested.approvalId}`, { decision: 'approve' })
    expect(approve.status).toBe(409)
    expect(await approve.json()).toMatchObject({ error: 'summary_unavailable' })
    const { rows } = await db.query<{ decision: string | null }>(
      'SELECT decision FROM approvals WHERE id = $1',
      [requested.approvalId],
    )
    expect(rows).toEqual([{ decision: null }])
    // The Worker refuses it on its own too, whoever asks it.
    const events: string[] = []
    for await (const event of served.worker?.decide({
      approvalId: requested.approvalId,
      decision: 'approved',
      identity: ADA,
    }) ?? []) {
      events.push(event.type === 'error' ? event.code : event.type)
    }
    expect(events).toEqual(['summary_unavailable'])

    model.enqueue(reply({ text: 'I did not cancel it, as you decided.' }))
    const rejected = parseSse(
      await (await post(`/api/approvals/${requested.approvalId}`, { decision: 'reject' })).text(),
    )
    expect(eventData(rejected, 'approval_recorded')).toMatchObject({
      decision: 'rejected',
      summary: null,
    })
    expect(await cancelled()).toBe(before)
  })
})
