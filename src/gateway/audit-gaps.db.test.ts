import { afterEach, beforeEach, expect, it } from 'vitest'
import { fixturePack } from '../../test/fixture-pack/index.ts'
import { ADA } from '../../test/fixture-pack/people.ts'
import { describeEachEraAndDatabase } from '../../test/support/each-era-and-database.ts'
import { begin, call, connect, testGateway } from '../../test/support/gateway-client.ts'
import type { TestDatabase } from '../../test/support/test-databases.ts'

/** `[[[…1…]]]`, `levels` arrays deep. */
function nested(levels: number): unknown {
  let value: unknown = 1
  for (let i = 0; i < levels; i++) value = [value]
  return value
}

describeEachEraAndDatabase('every gateway call leaves its rows', (target, era) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('fixture')
    await fixturePack.loadDemoData?.(db)
  })
  afterEach(() => db.close())

  async function invocations(): Promise<Array<{ error: string | null; booking: string | null }>> {
    const { rows } = await db.query<{ error: string | null; booking: string | null }>(
      `SELECT i.result->>'error' AS error, i.arguments->>'booking' AS booking
       FROM capability_invocations i JOIN audit_log a ON a.invocation_id = i.id
       WHERE i.capability = 'mcp:domain_get_booking'
       ORDER BY i.created_at`,
    )
    return rows
  }

  it('refuses NUL, a lone surrogate and 5,000 levels of nesting as invalid input, each with its invocation and audit row, stored escaped', async () => {
    const client = await connect(await testGateway(db, { pack: fixturePack }), ADA, era)
    const session = await begin(client)
    const hostile = [
      { booking: '1\u00002' },
      { booking: '1\ud800' },
      { booking: '\udc002' },
      { booking: nested(5000) },
      { booking: '1', extra: { 'k\u0000': 1 } },
    ]
    for (const args of hostile) {
      const reply = await call(client, 'domain_get_booking', { session, ...args })
      expect(reply.isError).toBe(true)
      expect(reply.text).toMatch(/^Invalid arguments: /)
    }
    const rows = await invocations()
    expect(rows.map((r) => r.error)).toEqual(hostile.map(() => 'invalid_input'))
    // Kept exactly, as the six characters of each escape: nothing dropped, nothing refused.
    expect(rows.slice(0, 3).map((r) => r.booking)).toEqual(['1\\u00002', '1\\ud800', '\\udc002'])
    expect(rows[3]?.booking).toContain('[nested deeper than 32 levels]')
    const { rows: keys } = await db.query<{ keys: string[] }>(
      `SELECT array(SELECT jsonb_object_keys(arguments->'extra')) AS keys
       FROM capability_invocations WHERE arguments ? 'extra'`,
    )
    expect(keys).toEqual([{ keys: ['k\\u0000'] }])
  })

  it('refuses arguments deeper than 32 levels or over 64 KiB, and accepts 32 levels', async () => {
    const client = await connect(await testGateway(db, { pack: fixturePack }), ADA, era)
    const session = await begin(client)
    const deep = await call(client, 'user_save_state', { session, state: { a: nested(31) } })
    expect(deep.text).toMatch(/nested deeper than 32 levels/)
    const fits = await call(client, 'user_save_state', { session, state: { a: nested(30) } })
    expect(fits.isError).toBe(false)
    const large = await call(client, 'domain_get_booking', { session, booking: 'x'.repeat(70_000) })
    expect(large.text).toMatch(/at most 65536 are accepted/)
    // user_save_state holds at most 16 KB: its own, smaller limit refuses 40 KB before parsing.
    const state = await call(client, 'user_save_state', {
      session,
      state: { a: 'x'.repeat(40_000) },
    })
    expect(state.text).toMatch(/at most 17408 are accepted/)
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM capability_invocations
       WHERE actor = $1 AND result->>'error' = 'invalid_input'`,
      [`gateway:${ADA.sub}`],
    )
    expect(rows[0]?.n).toBe(3)
  })

  it('releases the concurrency slot of every refused call: eight hostile calls lock nobody out', async () => {
    const client = await connect(
      await testGateway(db, { pack: fixturePack, maxConcurrentPerIdentity: 2 }),
      ADA,
      era,
    )
    const session = await begin(client)
    for (let i = 0; i < 8; i++) {
      const reply = await call(client, 'domain_get_booking', { session, booking: nested(5000) })
      expect(reply.isError).toBe(true)
    }
    const after = await call(client, 'domain_get_booking', { session, booking: '1' })
    expect(after.isError).toBe(false)
    expect(after.text).toContain('Booking #1')
    const rows = await invocations()
    expect(rows).toHaveLength(9)
    expect(rows.at(-1)?.error).toBeNull()
  })
})
