import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest'
import { fixturePack } from '../../test/fixture-pack/index.ts'
import { ADA } from '../../test/fixture-pack/people.ts'
import { describeEachEraAndDatabase } from '../../test/support/each-era-and-database.ts'
import { begin, call, connect, testGateway } from '../../test/support/gateway-client.ts'
import type { PreparedDatabase, TestDatabase } from '../../test/support/test-databases.ts'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const SPAN = '00f067aa0ba902b7'
const TRACEPARENT = `00-${TRACE}-${SPAN}-01`

describeEachEraAndDatabase('trace context of a gateway call', (target, era) => {
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

  /** The invocation rows of a tool, and the audit rows written in each. */
  async function rowsOf(tool: string) {
    const { rows } = await db.query<{
      id: string
      trace_id: string | null
      parent_span_id: string | null
      arguments: Record<string, unknown>
      status: string
      audit: Array<{ action: string; trace_id: string | null }>
    }>(
      `SELECT ci.id, ci.trace_id, ci.parent_span_id, ci.arguments, ci.status,
              (SELECT json_agg(json_build_object('action', a.action, 'trace_id', a.trace_id)
                               ORDER BY a.id)
               FROM audit_log a WHERE a.invocation_id = ci.id) AS audit
       FROM capability_invocations ci WHERE ci.capability = $1 ORDER BY ci.created_at`,
      [`mcp:${tool}`],
    )
    return rows
  }

  it('records the trace id of a call on its invocation row and on every audit row it wrote, and none in its arguments', async () => {
    const client = await connect(await testGateway(db, { pack: fixturePack }), ADA, era)
    const session = await begin(client)
    const booked = await call(
      client,
      'domain_book_room',
      { session, room: 'Cedar', day: '2031-05-06' },
      { traceparent: TRACEPARENT, tracestate: 'vendor=opaque' },
    )
    expect(booked.isError, booked.text).toBe(false)
    const [row] = await rowsOf('domain_book_room')
    expect(row).toMatchObject({
      trace_id: TRACE,
      parent_span_id: SPAN,
      arguments: { room: 'Cedar', day: '2031-05-06' },
    })
    expect(Object.keys(row?.arguments ?? {}).sort()).toEqual(['day', 'room'])
    // The business event the tool recorded, and the call's own row.
    expect(row?.audit).toEqual([
      { action: 'room_booked', trace_id: TRACE },
      { action: 'capability_invoked', trace_id: TRACE },
    ])
  })

  it('records the trace of a read, written by group commit, and of a call refused for its input', async () => {
    const client = await connect(await testGateway(db, { pack: fixturePack }), ADA, era)
    const session = await begin(client)
    const meta = { traceparent: TRACEPARENT }
    expect((await call(client, 'domain_get_booking', { session, booking: 1 }, meta)).isError).toBe(
      false,
    )
    const refused = await call(client, 'domain_get_booking', { session, booking: 'one' }, meta)
    expect(refused.isError).toBe(true)
    const rows = await rowsOf('domain_get_booking')
    expect(rows.map((r) => [r.status, r.trace_id, r.parent_span_id])).toEqual([
      ['ok', TRACE, SPAN],
      ['error', TRACE, SPAN],
    ])
    for (const r of rows)
      expect(r.audit).toEqual([{ action: 'capability_invoked', trace_id: TRACE }])
  })

  it('ignores a malformed traceparent: the call still runs, and its rows carry no trace', async () => {
    const client = await connect(await testGateway(db, { pack: fixturePack }), ADA, era)
    const session = await begin(client)
    const malformed = [
      `00-${TRACE.toUpperCase()}-${SPAN}-01`,
      `00-${'0'.repeat(32)}-${SPAN}-01`,
      `00-${TRACE}-${'0'.repeat(16)}-01`,
      `00-${TRACE}-${SPAN}-01-more`,
      `ff-${TRACE}-${SPAN}-01`,
      'trace-abc-123',
      42,
    ]
    for (const traceparent of malformed) {
      const reply = await call(
        client,
        'domain_get_booking',
        { session, booking: 1 },
        { traceparent, tracestate: 'vendor=opaque' },
      )
      expect(reply.isError, String(traceparent)).toBe(false)
    }
    const rows = await rowsOf('domain_get_booking')
    expect(rows).toHaveLength(malformed.length)
    for (const r of rows) {
      expect(r).toMatchObject({ trace_id: null, parent_span_id: null, arguments: { booking: 1 } })
      expect(r.audit).toEqual([{ action: 'capability_invoked', trace_id: null }])
    }
  })
})
