import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { describeEachEraAndDatabase } from '../../../test/support/each-era-and-database.ts'
import { begin, call, connect, testGateway } from '../../../test/support/gateway-client.ts'
import { serveGatewayOverHttp } from '../../../test/support/gateway-http.ts'
import { scriptedModel } from '../../../test/support/scripted-model.ts'
import type { ScriptedOpenAiServer } from '../../../test/support/scripted-openai-server.ts'
import { MAYA, STAFF } from '../../../test/support/support-scenario.ts'
import type { TestDatabase } from '../../../test/support/test-databases.ts'
import { loadDemoData } from '../demo/load-demo-data.ts'
import { supportPack } from '../index.ts'

interface Item {
  id: string
  kind: string
  title: string
  lines: Array<{ label: string; value: string }>
  customer: { sub: string } | null
}

describeEachEraAndDatabase('escalated tickets in the staff inbox', (target, era) => {
  let db: TestDatabase
  let model: ScriptedOpenAiServer
  let keyDir: string
  let served: Awaited<ReturnType<typeof serveGatewayOverHttp>>
  const send = (method: 'GET' | 'POST', path: string, token: string, body?: unknown) =>
    served.send(method, path, token, body)

  beforeEach(async () => {
    db = await target.open('support')
    await loadDemoData(db)
    model = await scriptedModel().start()
    keyDir = await mkdtemp(join(tmpdir(), 'fte-staff-inbox-'))
    served = await serveGatewayOverHttp(db, keyDir, {
      pack: supportPack,
      person: MAYA.sub,
      chat: { model },
    })
  })
  afterEach(async () => {
    await served.close()
    await model.stop()
    await db.close()
    await rm(keyDir, { recursive: true, force: true })
  })

  const escalations = async (token: string) =>
    (
      (await (await send('GET', '/api/staff/inbox', token)).json()) as { items: Item[] }
    ).items.filter((item) => item.kind === 'escalation')

  it('shows an escalation with its packet, and lets staff give it to another team and resolve it', async () => {
    const client = await connect(await testGateway(db, { pack: supportPack }), MAYA, era)
    const escalated = await call(client, 'domain_escalate_ticket', {
      session: await begin(client),
      ticket: 'T-1099',
      reason: 'Pro customer; refund for #4429 issued 14 days ago has not arrived.',
      issue: 'Refund of $120.00 on order #4429 not received after two weeks',
      tried: 'Looked up the order: refund issued 14 days ago, settled on our side',
      sentiment: 'frustrated: "it has been two weeks"',
    })
    expect(escalated.isError, escalated.text).toBe(false)
    const sam = await served.apiToken(STAFF.sub, 'staff')
    const [item] = await escalations(sam)
    expect(item).toMatchObject({
      id: 'escalation:T-1099',
      title: expect.stringContaining('T-1099'),
      customer: { sub: MAYA.sub },
    })
    const packet = Object.fromEntries((item?.lines ?? []).map((l) => [l.label, l.value]))
    expect(packet).toMatchObject({
      Customer: expect.stringContaining('Maya Okafor'),
      Issue: 'Refund of $120.00 on order #4429 not received after two weeks',
      Tried: 'Looked up the order: refund issued 14 days ago, settled on our side',
      Sentiment: 'frustrated: "it has been two weeks"',
      'Why escalated': 'Pro customer; refund for #4429 issued 14 days ago has not arrived.',
      Team: 'billing',
    })

    const maya = await served.apiToken(MAYA.sub)
    const refused = await send('POST', '/api/staff/inbox/escalation:T-1099/actions/resolve', maya, {
      resolution: 'mine',
    })
    expect(refused.status).toBe(403)

    const badTeam = await send('POST', '/api/staff/inbox/escalation:T-1099/actions/reassign', sam, {
      team: 'nobody',
    })
    expect(badTeam.status).toBe(400)
    const moved = await send('POST', '/api/staff/inbox/escalation:T-1099/actions/reassign', sam, {
      team: 'logistics',
    })
    expect(moved.status).toBe(200)
    const [after] = await escalations(sam)
    expect(after?.lines.find((l) => l.label === 'Team')?.value).toBe('logistics')

    const resolved = await send('POST', '/api/staff/inbox/escalation:T-1099/actions/resolve', sam, {
      resolution: 'Traced with the bank: the refund reached the card on Monday.',
    })
    expect(resolved.status).toBe(200)
    expect(await escalations(sam)).toEqual([])
    const { rows } = await db.query(
      `SELECT status, resolution FROM tickets WHERE public_id = 'T-1099'`,
    )
    expect(rows).toEqual([
      {
        status: 'resolved',
        resolution: 'Traced with the bank: the refund reached the card on Monday.',
      },
    ])
    const { rows: audit } = await db.query<{ action: string; actor: string }>(
      `SELECT action, actor FROM audit_log
       WHERE action IN ('ticket_escalated', 'ticket_reassigned', 'ticket_resolved') ORDER BY id`,
    )
    expect(audit).toEqual([
      { action: 'ticket_escalated', actor: `gateway:${MAYA.sub}` },
      { action: 'ticket_reassigned', actor: `staff:${STAFF.sub}` },
      { action: 'ticket_resolved', actor: `staff:${STAFF.sub}` },
    ])
    const again = await send('POST', '/api/staff/inbox/escalation:T-1099/actions/resolve', sam, {
      resolution: 'twice',
    })
    expect(again.status).toBe(404)
  })
})
