import type { Client } from '@modelcontextprotocol/client'
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest'
import { fixturePack } from '../../test/fixture-pack/index.ts'
import { ADA, BEN, ROSA } from '../../test/fixture-pack/people.ts'
import { countRows } from '../../test/support/count-rows.ts'
import { describeEachEraAndDatabase } from '../../test/support/each-era-and-database.ts'
import { begin, call, connect, testGateway } from '../../test/support/gateway-client.ts'
import type { PreparedDatabase, TestDatabase } from '../../test/support/test-databases.ts'
import { toolError, toolErrorCode } from '../protocol/gateway-wire.ts'
import type { Database } from '../store/database.ts'
import { REMINDER } from './call/answers.ts'
import type { GatewayOptions } from './gateway.ts'
import { issueSessionHandle } from './session-handle.ts'
import { sessionKey } from './session-key.ts'

describeEachEraAndDatabase('MCP gateway', (target, era) => {
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

  it('lists the tools by group, strict and truthfully annotated', async () => {
    const client = await connect(await gatewayOn(db), ADA, era)
    expect(client.getProtocolEra()).toBe(era)
    const { tools, ttlMs, cacheScope } = await client.listTools()
    // Only a 2026-07-28 result says how long it may be kept; a 2025 one is as 2025 clients know it.
    expect({ ttlMs, cacheScope }).toEqual(
      era === 'modern' ? { ttlMs: 5 * 60_000, cacheScope: 'public' } : {},
    )
    const names = tools.map((t) => t.name).sort()
    expect(names).toEqual(
      [
        'begin_session',
        'config_get_persona',
        'config_get_rules',
        'domain_book_room',
        'domain_cancel_booking',
        'domain_get_booking',
        'health',
        'user_get_profile',
        'user_save_note',
        'user_save_state',
      ].sort(),
    )
    for (const tool of tools) {
      expect(tool.inputSchema.additionalProperties, tool.name).toBe(false)
      expect(JSON.stringify(tool.inputSchema), tool.name).not.toMatch(/user_id|"sub"|identity/)
    }
    const cancel = tools.find((t) => t.name === 'domain_cancel_booking')
    expect(cancel?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true })
    const lookup = tools.find((t) => t.name === 'domain_get_booking')
    expect(lookup?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false })
    expect(tools.find((t) => t.name === 'begin_session')?.description).toMatch(/^CALL THIS FIRST/)
  })

  it('begins a session: rules with the fail-closed paragraph, a handle, a conversation, an audit row', async () => {
    const client = await connect(await gatewayOn(db), ADA, era)
    const reply = await call(client, 'begin_session')
    expect(reply.isError).toBe(false)
    expect(String(reply.data.rules)).toContain('Fail closed: if a tool returns an error')
    expect(String(reply.data.session_handle)).toMatch(/^fses_/)
    const conversation = String(reply.data.conversation_id)
    expect(
      await count(`SELECT 1 FROM conversations WHERE id = $1 AND user_id = $2`, [
        conversation,
        ADA.sub,
      ]),
    ).toBe(1)
    expect(
      await count(
        `SELECT 1 FROM audit_log WHERE action = 'session_started' AND conversation_id = $1`,
        [conversation],
      ),
    ).toBe(1)

    // Later calls of the session are audited under its conversation.
    const session = String(reply.data.session_handle)
    const booking = await call(client, 'domain_get_booking', { session, booking: '#1' })
    expect(booking.isError).toBe(false)
    expect(booking.text.endsWith(REMINDER)).toBe(true)
    expect(
      await count(
        `SELECT 1 FROM capability_invocations WHERE capability = 'mcp:domain_get_booking' AND conversation_id = $1`,
        [conversation],
      ),
    ).toBe(1)
  })

  it("refuses a call without, with a forged, an expired or another user's session handle", async () => {
    const gateway = await gatewayOn(db)
    const ada = await connect(gateway, ADA, era)
    const ben = await connect(gateway, BEN, era)
    const adas = await begin(ada)
    const key = await sessionKey(db, undefined)
    const expired = await issueSessionHandle(key, {
      sub: ADA.sub,
      conversationId: crypto.randomUUID(),
      ttlSeconds: -120,
    })
    const forged = await issueSessionHandle(new TextEncoder().encode('x'.repeat(32)), {
      sub: ADA.sub,
      conversationId: crypto.randomUUID(),
      ttlSeconds: 600,
    })
    const attempts: Array<[Client, string | undefined, RegExp]> = [
      [ada, undefined, /No session handle was given/],
      [ada, forged.handle, /not valid/],
      [ada, expired.handle, /expired/],
      [ada, adas.slice('fses_'.length), /not a session handle/],
      [ben, adas, /belongs to someone else/],
    ]
    for (const [client, session, message] of attempts) {
      const reply = await call(client, 'domain_get_booking', {
        booking: 1,
        ...(session ? { session } : {}),
      })
      expect(reply.isError).toBe(true)
      expect(reply.text).toMatch(message)
      expect(reply.text).toContain('Call begin_session first')
      expect(reply.text).not.toContain('Aurora')
    }
    // Each refusal is still an invocation row.
    expect(
      await count(
        `SELECT 1 FROM capability_invocations WHERE capability = 'mcp:domain_get_booking' AND status = 'error'`,
      ),
    ).toBe(attempts.length)
    // The handle also travels in _meta, for harnesses that keep it from the model.
    const viaMeta = await call(
      ada,
      'domain_get_booking',
      { booking: 1 },
      { 'io.digital-fte/session': adas },
    )
    expect(viaMeta.isError).toBe(false)
  })

  it('refuses a tool whose scope the identity lacks, charges it to the budget, and counts it', async () => {
    const reader = await connect(await gatewayOn(db), { ...ADA, scopes: ['read'] }, era)
    const session = await begin(reader)
    expect((await call(reader, 'domain_get_booking', { session, booking: 1 })).isError).toBe(false)
    for (const [tool, args] of [
      ['user_save_note', { text: 'hello' }],
      ['domain_book_room', { room: 'Birch', day: '2031-05-06' }],
    ] as const) {
      const reply = await call(reader, tool, { session, ...args })
      expect(reply.isError, tool).toBe(true)
      expect(reply.text, tool).toContain(`${tool} needs the "write" scope`)
      // Counted in its minute's row, not recorded one row per call.
      expect(
        await count(
          `SELECT 1 FROM refused_calls WHERE subject = $1 AND reason = 'insufficient_scope'
           AND (capabilities->>$2)::int = 1`,
          [ADA.sub, `mcp:${tool}`],
        ),
      ).toBe(1)
      expect(
        await count('SELECT 1 FROM capability_invocations WHERE capability = $1', [`mcp:${tool}`]),
      ).toBe(0)
    }
    expect(await count('SELECT 1 FROM notes')).toBe(0)
    expect(await count(`SELECT 1 FROM bookings WHERE day = '2031-05-06'`)).toBe(0)
  })

  it('carries the code of every refusal in structuredContent, as the wire contract names it', async () => {
    const reader = await connect(await gatewayOn(db), { ...ADA, scopes: ['read'] }, era)
    const session = await begin(reader)
    const cases = [
      ['session_invalid', await call(reader, 'domain_get_booking', { booking: 1 })],
      ['invalid_input', await call(reader, 'domain_get_booking', { session, booking: 1, x: 1 })],
      ['insufficient_scope', await call(reader, 'user_save_note', { session, text: 'hi' })],
      ['not_found', await call(reader, 'domain_get_booking', { session, booking: 99 })],
    ] as const
    for (const [code, reply] of cases) {
      expect(reply.isError, code).toBe(true)
      expect(toolErrorCode(reply.data), code).toBe(code)
      expect(reply.data, code).toEqual(toolError(code, reply.text))
    }
  })

  it('treats SQL in every string argument as data', async () => {
    const client = await connect(await gatewayOn(db), ROSA, era)
    const session = await begin(client)
    const evil = "1'; DELETE FROM bookings; --"
    const before = await count('SELECT 1 FROM bookings')
    for (const [tool, args] of [
      ['domain_get_booking', { booking: evil }],
      ['domain_get_booking', { booking: 1, person: "a@b.co' OR '1'='1" }],
      ['domain_book_room', { room: 'Aurora', day: evil }],
      ['user_save_note', { text: evil }],
    ] as const) {
      const reply = await call(client, tool, { session, ...args })
      expect(reply.text, tool).not.toMatch(/syntax error/i)
    }
    expect(await count('SELECT 1 FROM bookings')).toBe(before)
    expect(await count(`SELECT 1 FROM notes WHERE note_text = $1`, [evil])).toBe(1)
  })

  it("keeps a person to their own bookings; staff name anyone's", async () => {
    const gateway = await gatewayOn(db)
    const ben = await connect(gateway, BEN, era)
    const session = await begin(ben)
    // Ben has one booking; Ada's second is not his to read or cancel, by number or by her email.
    for (const [tool, args] of [
      ['domain_get_booking', { booking: 2 }],
      ['domain_get_booking', { booking: 1, person: 'ada.park@example.com' }],
      ['domain_cancel_booking', { booking: 2, reason: 'not mine' }],
    ] as const) {
      const reply = await call(ben, tool, { session, ...args })
      expect(reply.isError, tool).toBe(true)
      expect(reply.text, tool).toMatch(/^No booking #\d was found for you\.$/)
    }
    const rosa = await connect(gateway, ROSA, era)
    const seen = await call(rosa, 'domain_get_booking', {
      session: await begin(rosa),
      booking: 2,
      person: 'ada.park@example.com',
    })
    expect(seen.isError).toBe(false)
    expect(seen.text).toContain('Birch')
    expect(await count('SELECT 1 FROM bookings WHERE cancelled')).toBe(0)
  })

  it("records a writing tool's business event with its invocation, saves a note and state, and reports health", async () => {
    const client = await connect(await gatewayOn(db), ADA, era)
    const session = await begin(client)
    const booked = await call(client, 'domain_book_room', {
      session,
      room: 'Cedar',
      day: '2031-05-06',
    })
    expect(booked.data).toEqual({ booking: { number: 3, room: 'Cedar', day: '2031-05-06' } })
    // The business row and its event commit with the call's invocation row.
    expect(
      await count(
        `SELECT 1 FROM audit_log a JOIN capability_invocations ci ON ci.id = a.invocation_id
         WHERE a.action = 'room_booked' AND a.target = 'booking:3'
           AND ci.capability = 'mcp:domain_book_room' AND ci.status = 'ok'`,
      ),
    ).toBe(1)

    const note = await call(client, 'user_save_note', { session, text: 'Prefers the Cedar room' })
    expect(await count(`SELECT 1 FROM notes WHERE id = $1`, [note.data.note_id])).toBe(1)
    expect(
      await count(`SELECT 1 FROM audit_log WHERE action = 'note_saved' AND target = $1`, [
        `note:${note.data.note_id}`,
      ]),
    ).toBe(1)

    await call(client, 'user_save_state', {
      session,
      state: { language: 'en', last_room: 'Cedar' },
    })
    const state = await call(client, 'user_save_state', { session, state: { last_room: null } })
    expect(state.data).toEqual({ state: { language: 'en' } })
    const next = await call(client, 'begin_session')
    expect(next.data.state).toEqual({ language: 'en' })

    expect((await call(client, 'health')).data).toEqual({ database: 'reachable' })
    const unknownField = await call(client, 'domain_get_booking', {
      session,
      booking: 1,
      user_id: 'someone',
    })
    expect(unknownField.isError).toBe(true)
    expect(unknownField.text).toMatch(/Unrecognized key.*user_id/)
  })

  it('answers every read tool for its happy path, and refuses bad input without touching data', async () => {
    const client = await connect(await gatewayOn(db), ADA, era)
    const reply = await call(
      client,
      'begin_session',
      {},
      { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    )
    const session = String(reply.data.session_handle)
    const ok = async (tool: string, args: Record<string, unknown> = {}) => {
      const r = await call(client, tool, { session, ...args })
      expect(r.isError, `${tool}: ${r.text}`).toBe(false)
      expect(r.text.endsWith(REMINDER), tool).toBe(true)
      return r
    }
    expect((await ok('domain_get_booking', { booking: 1 })).data).toMatchObject({
      booking: { number: 1, room: 'Aurora', booked_by: 'ada.park@example.com' },
    })
    expect((await ok('user_get_profile')).data).toMatchObject({ role: 'customer' })
    expect(String((await ok('config_get_rules')).data.rules)).toContain('Fail closed')
    expect(String((await ok('config_get_persona')).data.persona)).toContain('room-booking Worker')

    const invocationsBefore = await count('SELECT 1 FROM capability_invocations')
    const bad: Array<[string, Record<string, unknown>, RegExp]> = [
      ['domain_get_booking', { booking: 'DROP TABLE' }, /is not a booking number/],
      ['domain_get_booking', {}, /booking: Invalid input/],
      ['domain_get_booking', { booking: 1, person: 'nobody' }, /person: Invalid email/],
      ['domain_book_room', { room: 'Attic', day: '2031-05-06' }, /room: Invalid option/],
      ['domain_book_room', { room: 'Birch', day: 'tomorrow' }, /day: Invalid ISO date/],
      ['domain_cancel_booking', { booking: 1, reason: '' }, /reason: Too small/],
      ['user_save_state', { state: 'not an object' }, /state: Invalid input/],
      ['user_save_note', { text: '' }, /text: Too small/],
    ]
    for (const [tool, args, message] of bad) {
      const r = await call(client, tool, { session, ...args })
      expect(r.isError, tool).toBe(true)
      expect(r.text, tool).toMatch(message)
    }
    const huge = await call(client, 'domain_get_booking', { session, booking: 'x'.repeat(100_000) })
    expect(huge.isError).toBe(true)
    expect(
      await count(
        `SELECT 1 FROM capability_invocations
         WHERE arguments @> '{"_truncated": true, "keys": ["booking"]}'::jsonb`,
      ),
    ).toBe(1)
    // Refused calls are audited too, one invocation row each.
    expect(await count('SELECT 1 FROM capability_invocations')).toBe(
      invocationsBefore + bad.length + 1,
    )
    expect(
      await count(
        `SELECT 1 FROM capability_invocations
         WHERE trace_id = '4bf92f3577b34da6a3ce929d0e0e4736' AND parent_span_id = '00f067aa0ba902b7'`,
      ),
    ).toBe(1)
    expect(await count('SELECT 1 FROM bookings WHERE cancelled')).toBe(0)
  })
})
