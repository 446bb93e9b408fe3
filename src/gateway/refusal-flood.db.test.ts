import { afterEach, beforeEach, expect, it } from 'vitest'
import { fixturePack } from '../../test/fixture-pack/index.ts'
import { ADA } from '../../test/fixture-pack/people.ts'
import { describeEachEraAndDatabase } from '../../test/support/each-era-and-database.ts'
import { begin, call, connect, testGateway } from '../../test/support/gateway-client.ts'
import type { TestDatabase } from '../../test/support/test-databases.ts'
import { closeRefusalMinutes, countRefusal } from '../audit/refused-calls.ts'

describeEachEraAndDatabase('a flood of refused calls', (target, era) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('fixture')
    await fixturePack.loadDemoData?.(db)
  })
  afterEach(() => db.close())

  async function logRows(): Promise<number> {
    const { rows } = await db.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM audit_log) + (SELECT count(*) FROM capability_invocations) AS n`,
    )
    return Number(rows[0]?.n)
  }

  async function counted(): Promise<Array<{ reason: string; calls: number }>> {
    const { rows } = await db.query<{ reason: string; calls: number }>(
      `SELECT reason, sum(calls)::int AS calls FROM refused_calls WHERE subject = $1
       GROUP BY reason ORDER BY reason`,
      [ADA.sub],
    )
    return rows
  }

  it('charges 400 calls refused for scope to the budget, and grows the log by one row per identity, reason and minute', async () => {
    const gateway = await testGateway(db, {
      pack: fixturePack,
      rateLimit: { perMinute: 1, burst: 20 },
    })
    // A token that may only read, calling a tool that writes.
    const reader = await connect(gateway, { ...ADA, scopes: ['read'] }, era)
    const session = await begin(reader)
    const before = await logRows()
    const replies = await Promise.all(
      Array.from({ length: 400 }, () => call(reader, 'user_save_note', { session, text: 'x' })),
    )
    expect(replies.every((r) => r.isError && r.text.includes('needs the "write" scope'))).toBe(true)
    // Charged: the budget (20 at once) is spent, so a call it would have allowed is refused.
    const lookup = await call(reader, 'domain_get_booking', { session, booking: 1 })
    expect(lookup.text).toMatch(/^Too many tool calls for this user/)
    expect(await logRows()).toBe(before)
    expect(await counted()).toEqual([
      { reason: 'insufficient_scope', calls: 400 },
      { reason: 'rate_limited', calls: 1 },
    ])

    // When their minutes close, each (identity, reason, minute) becomes one audit row.
    const keys = (await db.query('SELECT 1 FROM refused_calls')).rows.length
    expect(await closeRefusalMinutes(db, -120)).toBe(keys)
    expect(await logRows()).toBe(before + keys)
    expect(keys).toBeLessThanOrEqual(4) // two reasons, each in at most two minutes
    const { rows } = await db.query<{ actor: string; target: string; calls: number }>(
      `SELECT actor, target, sum((payload->>'calls')::int)::int AS calls FROM audit_log
       WHERE action = 'calls_refused' GROUP BY actor, target ORDER BY target`,
    )
    expect(rows).toEqual([
      { actor: `gateway:${ADA.sub}`, target: 'insufficient_scope', calls: 400 },
      { actor: `gateway:${ADA.sub}`, target: 'rate_limited', calls: 1 },
    ])
    expect(await counted()).toEqual([])
    expect((await db.query('SELECT 1 FROM notes')).rows).toHaveLength(0)
  })

  it('counts calls refused for the budget the same way: one row, however many calls', async () => {
    const gateway = await testGateway(db, {
      pack: fixturePack,
      rateLimit: { perMinute: 1, burst: 5 },
    })
    const ada = await connect(gateway, ADA, era)
    const session = await begin(ada)
    const before = await logRows()
    const replies = []
    for (let i = 0; i < 200; i++) {
      replies.push(await call(ada, 'domain_get_booking', { session, booking: 1 }))
    }
    expect(replies.filter((r) => !r.isError)).toHaveLength(4)
    // The four accepted calls leave their two rows each; the 196 refused ones none yet.
    expect(await logRows()).toBe(before + 8)
    expect(await counted()).toEqual([{ reason: 'rate_limited', calls: 196 }])
  })

  it('closes a minute once when two replicas close at once, and leaves the open minute counting', async () => {
    for (let i = 0; i < 3; i++) {
      await countRefusal(db, { subject: ADA.sub, reason: 'rate_limited', capability: 'mcp:x' })
    }
    await db.query(`UPDATE refused_calls SET minute = minute - interval '2 minutes'`)
    await countRefusal(db, { subject: ADA.sub, reason: 'rate_limited', capability: 'mcp:y' })
    const appended = await Promise.all([closeRefusalMinutes(db), closeRefusalMinutes(db)])
    expect(appended.sort()).toEqual([0, 1])
    const { rows } = await db.query<{ payload: { calls: number; capabilities: object } }>(
      `SELECT payload FROM audit_log WHERE action = 'calls_refused'`,
    )
    expect(rows.map((r) => r.payload)).toMatchObject([{ calls: 3, capabilities: { 'mcp:x': 3 } }])
    expect(await counted()).toEqual([{ reason: 'rate_limited', calls: 1 }])
  })
})
