import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  Client,
  type ElicitResult,
  StreamableHTTPClientTransport,
} from '@modelcontextprotocol/client'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { fixturePack } from '../../test/fixture-pack/index.ts'
import { ADA } from '../../test/fixture-pack/people.ts'
import { begin, call } from '../../test/support/gateway-client.ts'
import { type GatewayOverHttp, serveGatewayOverHttp } from '../../test/support/gateway-http.ts'
import { describeEachDatabase, type TestDatabase } from '../../test/support/test-databases.ts'
import { CONSENT_FIELD } from '../protocol/gateway-wire.ts'

const CANCEL = { booking: '#1', reason: 'plans changed' }

describeEachDatabase('consent asked by the gateway over HTTP (/mcp)', (target) => {
  let db: TestDatabase
  let dir: string
  let served: GatewayOverHttp
  beforeEach(async () => {
    db = await target.open('fixture')
    await fixturePack.loadDemoData?.(db)
    dir = await mkdtemp(join(tmpdir(), 'fte-consent-'))
    served = await serveGatewayOverHttp(db, dir, { pack: fixturePack, person: ADA.sub })
  })
  afterEach(async () => {
    await served.close()
    await db.close()
    await rm(dir, { recursive: true, force: true })
  })

  const cancelled = async () =>
    (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM bookings WHERE cancelled'))
      .rows[0]?.n
  const answers = async () =>
    (await db.query<{ answer: string }>('SELECT answer FROM consent_requests')).rows.map(
      (row) => row.answer,
    )

  /** The official client over HTTP, answering the gateway's questions with `answer`. */
  async function person(era: 'legacy' | 'modern', answer: () => ElicitResult) {
    let asked = 0
    const client = new Client(
      { name: 'consent-http-test', version: '1.0.0' },
      {
        capabilities: { elicitation: { form: {} } },
        ...(era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {}),
      },
    )
    client.setRequestHandler('elicitation/create', async () => {
      asked++
      return answer()
    })
    await client.connect(
      new StreamableHTTPClientTransport(new URL(served.resource), {
        requestInit: { headers: { Authorization: `Bearer ${await served.token()}` } },
      }),
    )
    expect(client.getProtocolEra()).toBe(era)
    return { client, asked: () => asked, session: await begin(client) }
  }

  it('asks a 2026-07-28 client, across two requests, and runs the call on its yes', async () => {
    const { client, asked, session } = await person('modern', () => ({
      action: 'accept',
      content: { [CONSENT_FIELD]: true },
    }))
    const reply = await call(client, 'domain_cancel_booking', { session, ...CANCEL })
    expect(reply.isError, reply.text).toBe(false)
    expect(asked()).toBe(1)
    expect(await cancelled()).toBe(1)
    expect(await answers()).toEqual(['accepted'])
    await client.close()
  })

  it("records a 2026-07-28 client's no and changes nothing", async () => {
    const { client, session } = await person('modern', () => ({ action: 'decline' }))
    const reply = await call(client, 'domain_cancel_booking', { session, ...CANCEL })
    expect(reply.data).toMatchObject({ error: { code: 'declined' } })
    expect(await cancelled()).toBe(0)
    expect(await answers()).toEqual(['declined'])
    await client.close()
  })

  it('leaves a 2025 client over stateless HTTP, which cannot be asked, to its host', async () => {
    const { client, asked, session } = await person('legacy', () => ({ action: 'decline' }))
    const reply = await call(client, 'domain_cancel_booking', { session, ...CANCEL })
    expect(reply.isError, reply.text).toBe(false)
    expect(asked()).toBe(0)
    expect(await cancelled()).toBe(1)
    expect(await answers()).toEqual([])
    await client.close()
  })
})
