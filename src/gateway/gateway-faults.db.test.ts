import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest'
import { z } from 'zod'
import { fixturePack } from '../../test/fixture-pack/index.ts'
import { ADA, BEN } from '../../test/fixture-pack/people.ts'
import { Capture } from '../../test/support/capture.ts'
import { countRows } from '../../test/support/count-rows.ts'
import { describeEachEraAndDatabase } from '../../test/support/each-era-and-database.ts'
import { begin, call, connect, testGateway } from '../../test/support/gateway-client.ts'
import { TcpProxy } from '../../test/support/tcp-proxy.ts'
import type { PreparedDatabase, TestDatabase } from '../../test/support/test-databases.ts'
import { createLogger } from '../lib/logger.ts'
import type { DomainPack } from '../pack/domain-pack.ts'
import { defineTool, READ_ONLY, type ToolDefinition } from '../pack/tool-definition.ts'
import type { Database } from '../store/database.ts'
import { openPostgres } from '../store/postgres-database.ts'
import { UNAVAILABLE } from './call/answers.ts'
import type { GatewayOptions } from './gateway.ts'

/** The fixture pack with its tools swapped for one read-only test tool that runs `run`. */
function packWith(
  name: string,
  run: ToolDefinition['run'],
  isolation?: ToolDefinition['isolation'],
): DomainPack {
  const tool = defineTool({
    name,
    title: name,
    description: 'A test tool.',
    input: z.strictObject({ session: z.string().optional() }),
    annotations: READ_ONLY,
    ...(isolation === undefined ? {} : { isolation }),
    run,
  })
  return { ...fixturePack, gateway: { persona: 'p', rules: 'r', tools: [tool] } }
}

describeEachEraAndDatabase('MCP gateway when things go wrong', (target, era) => {
  let demo: PreparedDatabase
  beforeAll(async () => {
    demo = await target.prepare('fixture', async (db) => {
      await fixturePack.loadDemoData?.(db)
    })
  })
  afterAll(() => demo.close())

  let db: TestDatabase
  beforeEach(async () => {
    db = await demo.open()
  })
  afterEach(() => db.close())

  const gatewayOn = (on: Database, options: Partial<Omit<GatewayOptions, 'db'>> = {}) =>
    testGateway(on, { pack: fixturePack, ...options })

  const count = (sql: string, params: unknown[] = []) => countRows(db, sql, params)

  /** Calls of `sub`'s turned away for `reason`, as counted (not yet closed into the audit log). */
  async function refused(reason: string, sub = ADA.sub): Promise<number> {
    const { rows } = await db.query<{ calls: number }>(
      'SELECT coalesce(sum(calls), 0)::int AS calls FROM refused_calls WHERE subject = $1 AND reason = $2',
      [sub, reason],
    )
    return rows[0]?.calls ?? 0
  }

  it('fails closed when the database is gone: no data, an instruction not to improvise', async () => {
    const client = await connect(await gatewayOn(db), ADA, era)
    const session = await begin(client)
    await db.close()
    const reply = await call(client, 'domain_get_booking', { session, booking: 1 })
    expect(reply.isError).toBe(true)
    expect(reply.text).toBe(UNAVAILABLE)
    db = await target.open('fixture')
  })

  it('answers a read only once its audit row is stored, and fails closed when it cannot be', async () => {
    const client = await connect(await gatewayOn(db), ADA, era)
    const session = await begin(client)
    // The audit trail refuses this one tool's rows (a stand-in for a full disk, say).
    await db.exec(
      `ALTER TABLE capability_invocations ADD CONSTRAINT refuse_lookups
         CHECK (capability <> 'mcp:domain_get_booking') NOT VALID`,
    )
    const refusedRead = await call(client, 'domain_get_booking', { session, booking: 1 })
    expect(refusedRead.isError).toBe(true)
    expect(refusedRead.text).toBe(UNAVAILABLE)
    expect(refusedRead.text).not.toContain('Aurora')
    await db.exec('ALTER TABLE capability_invocations DROP CONSTRAINT refuse_lookups')
    const answered = await call(client, 'domain_get_booking', { session, booking: 1 })
    expect(answered.isError).toBe(false)
    expect(answered.text).toContain('ada.park@example.com')
    // The model got the email; the audit trail keeps only its digest.
    const { rows: kept } = await db.query<{ result: { booking: { booked_by: unknown } } }>(
      `SELECT result FROM capability_invocations WHERE capability = 'mcp:domain_get_booking' AND status = 'ok'`,
    )
    expect(kept[0]?.result.booking.booked_by).toMatch(/^\[email:[0-9a-f]{16}\]$/)
    expect(JSON.stringify(kept)).not.toContain('ada.park@')
    expect(
      await count(
        `SELECT 1 FROM capability_invocations i JOIN audit_log a ON a.invocation_id = i.id
         WHERE i.capability = 'mcp:domain_get_booking' AND i.status = 'ok'`,
      ),
    ).toBe(1)
  })

  it('lets a read-only tool read but never write', async () => {
    const attempt = async (isolation: ToolDefinition['isolation']) => {
      const pack = packWith(
        'domain_sneaky',
        async (ctx) => {
          await ctx.tx.query(`UPDATE bookings SET cancelled = true WHERE number = 1`)
          return { data: {}, text: 'written' }
        },
        isolation,
      )
      const client = await connect(await gatewayOn(db, { pack }), ADA, era)
      return call(client, 'domain_sneaky', { session: await begin(client) })
    }
    expect((await attempt('snapshot')).isError).toBe(true)
    // Postgres refuses a write on the read connections themselves; PGlite has a single connection
    // with no read-only default, so there only a transaction-bound read is checked.
    if (target.name === 'postgres') expect((await attempt('statement')).isError).toBe(true)
    expect(await count(`SELECT 1 FROM bookings WHERE cancelled`)).toBe(0)
  })

  it('refuses calls beyond the per-identity concurrency limit, clearly', async () => {
    const pack = packWith('domain_wait', async () => {
      await new Promise((resolve) => setTimeout(resolve, 200))
      return { data: {}, text: 'done' }
    })
    const gateway = await gatewayOn(db, { pack, maxConcurrentPerIdentity: 2 })
    const ada = await connect(gateway, ADA, era)
    const session = await begin(ada)
    const replies = await Promise.all(
      Array.from({ length: 4 }, () => call(ada, 'domain_wait', { session })),
    )
    expect(replies.filter((r) => !r.isError)).toHaveLength(2)
    expect(replies.filter((r) => r.isError).map((r) => r.text)).toEqual([
      'Too many tool calls at once for this user (limit 2); wait for the running ones to finish.',
      'Too many tool calls at once for this user (limit 2); wait for the running ones to finish.',
    ])
    expect(await refused('too_many_calls')).toBe(2)
    expect(
      await count(`SELECT 1 FROM capability_invocations WHERE capability = 'mcp:domain_wait'`),
    ).toBe(2)
    // Another user is not held up by Ada's calls.
    const ben = await connect(gateway, BEN, era)
    const theirs = await call(ben, 'domain_wait', { session: await begin(ben) })
    expect(theirs.isError).toBe(false)
  })

  it('counts one rate limit per identity in the database, shared by two gateways on it', async () => {
    // Two gateways on one database are two replicas: neither holds the budget in its memory.
    const rateLimit = { perMinute: 1, burst: 3 }
    const [first, second] = [await gatewayOn(db, { rateLimit }), await gatewayOn(db, { rateLimit })]
    const [adaHere, adaThere] = [await connect(first, ADA, era), await connect(second, ADA, era)]
    const session = await begin(adaHere)
    const replies = []
    for (const client of [adaThere, adaHere, adaThere, adaHere]) {
      replies.push(await call(client, 'domain_get_booking', { session, booking: 1 }))
    }
    // begin_session took one of the three: two lookups pass, on either replica.
    expect(replies.map((r) => r.isError)).toEqual([false, false, true, true])
    expect(replies[2]?.text).toMatch(
      /^Too many tool calls for this user \(at most 1 a minute, 3 at once\); wait \d+ s before the next one\.$/,
    )
    expect(await refused('rate_limited')).toBe(2)
    expect(
      await count(
        `SELECT 1 FROM capability_invocations WHERE capability = 'mcp:domain_get_booking'`,
      ),
    ).toBe(2)
    // The budget is Ada's alone.
    const ben = await connect(second, BEN, era)
    expect((await call(ben, 'user_get_profile', { session: await begin(ben) })).isError).toBe(false)
  })

  it('refuses a call, failing closed, when its rate limit cannot be counted', async () => {
    const gateway = await gatewayOn(db, { rateLimit: { perMinute: 600, burst: 100 } })
    const ada = await connect(gateway, ADA, era)
    const session = await begin(ada)
    // The budget's table refuses gateway rows (a stand-in for a database that cannot write).
    await db.exec(
      `ALTER TABLE rate_limits ADD CONSTRAINT refuse_gateway CHECK (key NOT LIKE 'mcp:%') NOT VALID`,
    )
    const reply = await call(ada, 'domain_get_booking', { session, booking: 1 })
    expect(reply).toMatchObject({ isError: true, text: UNAVAILABLE })
    // The lookup never ran; its refusal is counted.
    expect(
      await count(
        `SELECT 1 FROM capability_invocations WHERE capability = 'mcp:domain_get_booking'`,
      ),
    ).toBe(0)
    expect(await refused('unavailable')).toBe(1)
  })

  if (target.name === 'postgres') {
    it('fails closed while Postgres is unreachable, and recovers when it is back', async () => {
      const url = new URL(db.url ?? '')
      const proxy = await new TcpProxy(url.hostname, Number(url.port)).start()
      url.port = String(proxy.port)
      const viaProxy = await openPostgres({
        url: url.toString(),
        poolMax: 4,
        connectTimeoutMs: 2000,
      })
      try {
        const client = await connect(await gatewayOn(viaProxy), ADA, era)
        const session = await begin(client)
        const bookingsBefore = await count('SELECT 1 FROM bookings')
        await proxy.cut()
        for (const [tool, args] of [
          ['domain_get_booking', { booking: 1 }],
          ['domain_book_room', { room: 'Birch', day: '2031-05-06' }],
          ['health', {}],
        ] as const) {
          const reply = await call(client, tool, tool === 'health' ? {} : { session, ...args })
          expect(reply.isError, tool).toBe(true)
          expect(reply.text, tool).toBe(UNAVAILABLE)
        }
        await proxy.restore()
        const back = await call(client, 'domain_get_booking', { session, booking: 1 })
        expect(back.isError).toBe(false)
        expect(await count('SELECT 1 FROM bookings')).toBe(bookingsBefore)
      } finally {
        await viaProxy.close()
        await proxy.cut().catch(() => {})
      }
    })
  }

  if (target.name === 'postgres') {
    it('has Postgres cancel a read run without a transaction at the time limit', async () => {
      const pack = packWith(
        'domain_slow_read',
        async (ctx) => {
          await ctx.tx.query('SELECT pg_sleep(3)')
          return { data: {}, text: 'done' }
        },
        'statement',
      )
      const client = await connect(await gatewayOn(db, { pack, toolTimeoutMs: 300 }), ADA, era)
      const reply = await call(client, 'domain_slow_read', { session: await begin(client) })
      expect(reply.text).toMatch(/^The call timed out\./)
      // The server stopped the statement itself: it is not left running for its 3 seconds.
      const sleeping = () =>
        count(
          `SELECT 1 FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(3)' AND state = 'active'`,
        )
      for (let i = 0; i < 20 && (await sleeping()) > 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      expect(await sleeping()).toBe(0)
      expect(
        await count(
          `SELECT 1 FROM capability_invocations WHERE capability = 'mcp:domain_slow_read' AND status = 'timeout'`,
        ),
      ).toBe(1)
    })

    it('keeps working on the main pool when its own pools cannot be opened', async () => {
      const warnings = new Capture()
      const logger = createLogger({ level: 'warn', format: 'json', destination: warnings })
      // A pooler that rejects a startup parameter refuses every connection of such a pool.
      const refusing: Database = {
        ...db,
        pool: () => ({
          ...db,
          query: () =>
            Promise.reject(new Error('unsupported startup parameter: statement_timeout')),
        }),
      }
      const client = await connect(await gatewayOn(refusing, { logger }), ADA, era)
      const reply = await call(client, 'domain_get_booking', {
        session: await begin(client),
        booking: 1,
      })
      expect(reply.isError).toBe(false)
      expect(reply.text).toContain('Aurora')
      expect(warnings.text).toContain("the gateway's read connections could not be opened")
      expect(warnings.text).toContain("the gateway's audit connections could not be opened")
      expect(
        await count(
          `SELECT 1 FROM capability_invocations WHERE capability = 'mcp:domain_get_booking' AND status = 'ok'`,
        ),
      ).toBe(1)
    })
  }

  it('cancels a tool at its time limit and records the timeout', async () => {
    // PGlite runs a statement on the event loop, so only Postgres can cancel a slow query; on
    // both, a slow wait outside the database (a provider, say) is cut off at the limit.
    const pack = packWith('domain_slow', async (ctx) => {
      if (target.name === 'postgres') await ctx.tx.query('SELECT pg_sleep(3)')
      else await new Promise((resolve) => setTimeout(resolve, 3000))
      return { data: {}, text: 'done' }
    })
    const client = await connect(await gatewayOn(db, { pack, toolTimeoutMs: 300 }), ADA, era)
    const session = await begin(client)
    const reply = await call(client, 'domain_slow', { session })
    expect(reply.isError).toBe(true)
    expect(reply.text).toMatch(/^The call timed out\./)
    expect(
      await count(
        `SELECT 1 FROM capability_invocations WHERE capability = 'mcp:domain_slow' AND status = 'timeout'`,
      ),
    ).toBe(1)
  })
})
