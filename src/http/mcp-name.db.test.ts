import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { fixturePack } from '../../test/fixture-pack/index.ts'
import { ADA } from '../../test/fixture-pack/people.ts'
import { countRows } from '../../test/support/count-rows.ts'
import { ERAS } from '../../test/support/gateway-client.ts'
import { type GatewayOverHttp, serveGatewayOverHttp } from '../../test/support/gateway-http.ts'
import { answerOf, mcpRequest } from '../../test/support/mcp-request.ts'
import { describeEachDatabase, type TestDatabase } from '../../test/support/test-databases.ts'
import { HEADER_MISMATCH } from './mcp-name.ts'

const b64 = (text: string) => `=?base64?${Buffer.from(text, 'utf8').toString('base64')}?=`

describeEachDatabase('the Mcp-Name header on /mcp', (target) => {
  let db: TestDatabase
  let dir: string
  let served: GatewayOverHttp

  beforeEach(async () => {
    db = await target.open('fixture')
    await fixturePack.loadDemoData?.(db)
    dir = await mkdtemp(join(tmpdir(), 'fte-mcp-name-'))
    served = await serveGatewayOverHttp(db, dir, { pack: fixturePack, person: ADA.sub })
  })
  afterEach(async () => {
    await served.close()
    await db.close()
    await rm(dir, { recursive: true, force: true })
  })

  const count = (sql: string) => countRows(db, sql, [])
  /** Every row a call could leave: its invocation, a refusal counted, a note, a booking. */
  const traces = async () => ({
    invocations: await count('SELECT 1 FROM capability_invocations'),
    refusals: await count('SELECT 1 FROM refused_calls'),
    notes: await count('SELECT 1 FROM notes'),
    bookings: await count('SELECT 1 FROM bookings'),
  })

  describe.each(ERAS)('$era era', ({ era }) => {
    const toolCall = async (
      name: string,
      mcpName: string,
      bearer: string,
      args: Record<string, unknown> = {},
    ) =>
      fetch(
        served.resource,
        mcpRequest(
          era,
          'tools/call',
          { name, arguments: args },
          { authorization: `Bearer ${bearer}`, 'mcp-name': mcpName },
        ),
      )

    it('refuses a call whose Mcp-Name names another tool, before its scope is checked or charged', async () => {
      const before = await traces()
      const readOnly = await served.token(ADA.sub, 'customer', ['read'])
      const cases: Array<[string, string, string, Record<string, unknown>]> = [
        // The body's tool needs a scope the token lacks: still a 400, no refusal counted.
        [readOnly, 'domain_book_room', 'domain_get_booking', { room: 'Birch', day: '2031-05-06' }],
        [await served.token(), 'user_save_note', 'health', { text: 'hello' }],
        [await served.token(), 'user_save_note', b64('health'), { text: 'hello' }],
        [await served.token(), 'health', '=?base64?aGVhbHRo?=x', {}],
        [await served.token(), 'health', '=?base64?aGVhbHR?=', {}],
      ]
      for (const [bearer, name, header, args] of cases) {
        const response = await toolCall(name, header, bearer, args)
        expect(response.status, header).toBe(400)
        expect(await response.json(), header).toMatchObject({
          jsonrpc: '2.0',
          id: 1,
          error: { code: HEADER_MISMATCH, data: { mismatch: { header, body: name } } },
        })
      }
      expect(await traces()).toEqual(before)
    })

    it('runs a call whose Mcp-Name agrees, plain or base64-encoded, audited under the body’s name', async () => {
      for (const header of ['health', b64('health')]) {
        const response = await toolCall('health', header, await served.token())
        expect(response.status, header).toBe(200)
        expect(await answerOf(response), header).toMatchObject({
          result: { structuredContent: { database: 'reachable' } },
        })
      }
      expect(
        await count(`SELECT 1 FROM capability_invocations WHERE capability = 'mcp:health'`),
      ).toBe(2)
    })
  })

  it('refuses the official 2026 client whose Mcp-Name is rewritten on the way: -32020, nothing run', async () => {
    const before = await traces()
    const readOnly = await served.token(ADA.sub, 'customer', ['read'])
    // A proxy (or a bug) naming another tool in the header than the body calls: one the token
    // may not call, so a scope check that went first would answer 403 and count a refusal.
    const rewriting = async (input: string | URL | Request, init?: RequestInit) => {
      const headers = new Headers(init?.headers)
      if (headers.get('mcp-name') === 'user_save_note') headers.set('mcp-name', 'health')
      return fetch(input, { ...init, headers })
    }
    const client = new Client(
      { name: 'rewritten', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    )
    await client.connect(
      new StreamableHTTPClientTransport(new URL(served.resource), {
        requestInit: { headers: { Authorization: `Bearer ${readOnly}` } },
        fetch: rewriting,
      }),
    )
    expect(client.getProtocolEra()).toBe('modern')
    await expect(
      client.callTool({ name: 'user_save_note', arguments: { text: 'hello' } }),
    ).rejects.toMatchObject({ code: HEADER_MISMATCH })
    expect(await traces()).toEqual(before)
    // The same client, its header untouched, is served.
    const health = await client.callTool({ name: 'health', arguments: {} })
    expect(health.structuredContent).toEqual({ database: 'reachable' })
    await client.close()
  })
})
