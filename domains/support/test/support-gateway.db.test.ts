import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest'
import { embedPendingDocuments } from '../../../src/embedding/document-indexer.ts'
import { createLocalEmbedder } from '../../../src/embedding/local-embedder.ts'
import { REMINDER } from '../../../src/gateway/call/answers.ts'
import { countRows } from '../../../test/support/count-rows.ts'
import { describeEachEraAndDatabase } from '../../../test/support/each-era-and-database.ts'
import { begin, call, connect, testGateway } from '../../../test/support/gateway-client.ts'
import { MAYA, STAFF } from '../../../test/support/support-scenario.ts'
import type { PreparedDatabase, TestDatabase } from '../../../test/support/test-databases.ts'
import { loadDemoData } from '../demo/load-demo-data.ts'
import { supportPack } from '../index.ts'
import { supportLexicon } from '../lexicon.ts'

// The support pack's tools on the gateway, on its demo data: who sees what, what each tool takes
// and answers. (The gateway's own contract is tested on the core's fixture pack.)
describeEachEraAndDatabase('the support pack on the MCP gateway', (target, era) => {
  let demo: PreparedDatabase
  beforeAll(async () => {
    demo = await target.prepare('support', async (db) => {
      await loadDemoData(db)
      await embedPendingDocuments(db, createLocalEmbedder(1024, supportLexicon))
    })
  })
  afterAll(() => demo.close())

  let db: TestDatabase
  beforeEach(async () => {
    db = await demo.open()
  })
  afterEach(() => db.close())

  const count = (sql: string, params: unknown[] = []) => countRows(db, sql, params)

  it('lists the tools by group, strict and truthfully annotated', async () => {
    const client = await connect(await testGateway(db, { pack: supportPack }), MAYA, era)
    const { tools } = await client.listTools()
    const names = tools.map((t) => t.name).sort()
    expect(names).toEqual(
      [
        'begin_session',
        'config_get_persona',
        'config_get_rules',
        'domain_escalate_ticket',
        'domain_find_similar_cases',
        'domain_get_ticket',
        'domain_issue_refund',
        'domain_list_tickets',
        'domain_lookup_customer',
        'domain_lookup_order',
        'domain_open_ticket',
        'domain_search_policies',
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
    const refund = tools.find((t) => t.name === 'domain_issue_refund')
    expect(refund?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true })
    const lookup = tools.find((t) => t.name === 'domain_lookup_order')
    expect(lookup?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false })
    expect(tools.find((t) => t.name === 'begin_session')?.description).toMatch(/^CALL THIS FIRST/)
  })

  it("keeps a customer to their own orders, tickets and refunds; staff see anyone's", async () => {
    const gateway = await testGateway(db, { pack: supportPack })
    const maya = await connect(gateway, MAYA, era)
    const session = await begin(maya)
    const { rows } = await db.query<{ public_id: string; ticket: string }>(
      `SELECT o.public_id, t.public_id AS ticket FROM orders o JOIN customers c ON c.id = o.customer_id
       JOIN tickets t ON t.customer_id = c.id WHERE c.auth_subject = 'demo|daniel-reyes' LIMIT 1`,
    )
    const daniels = rows[0]
    if (daniels === undefined) throw new Error('no order for Daniel')
    for (const [tool, args] of [
      ['domain_lookup_order', { order: daniels.public_id }],
      ['domain_get_ticket', { ticket: daniels.ticket }],
      [
        'domain_issue_refund',
        {
          order: daniels.public_id,
          amount_cents: 100,
          reason: 'test',
          idempotency_key: 'isolation-1',
        },
      ],
    ] as const) {
      const reply = await call(maya, tool, { session, ...args })
      expect(reply.isError, tool).toBe(true)
      expect(reply.text, tool).toMatch(/^No (order|ticket) .* was found for you\.$/)
    }
    expect(await count(`SELECT 1 FROM refunds WHERE reason = 'test'`)).toBe(0)

    const asDaniel = await call(maya, 'domain_lookup_customer', {
      session,
      customer_email: 'daniel.reyes@example.org',
    })
    expect(asDaniel.isError).toBe(true)
    expect(asDaniel.text).toBe('No customer with that email was found for you.')
    const staff = await connect(gateway, STAFF, era)
    const staffSession = await begin(staff)
    const seen = await call(staff, 'domain_lookup_order', {
      session: staffSession,
      order: daniels.public_id,
    })
    expect(seen.isError).toBe(false)
    const asStaff = await call(staff, 'domain_lookup_customer', { session: staffSession })
    expect(asStaff.text).toContain('name the customer by customer_email')
  })

  it('refuses a tool whose scope the identity lacks, charges it to the budget, and counts it', async () => {
    const reader = await connect(
      await testGateway(db, { pack: supportPack }),
      {
        ...MAYA,
        scopes: ['read'],
      },
      era,
    )
    const session = await begin(reader)
    expect((await call(reader, 'domain_lookup_order', { session, order: '4429' })).isError).toBe(
      false,
    )
    for (const [tool, args, scope] of [
      ['user_save_note', { text: 'hello' }, 'write'],
      [
        'domain_issue_refund',
        { order: '4429', amount_cents: 100, reason: 'scope test', idempotency_key: 'scope-0001' },
        'refund',
      ],
    ] as const) {
      const reply = await call(reader, tool, { session, ...args })
      expect(reply.isError, tool).toBe(true)
      expect(reply.text, tool).toContain(`${tool} needs the "${scope}" scope`)
      // Counted in its minute's row, not recorded one row per call.
      expect(
        await count(
          `SELECT 1 FROM refused_calls WHERE subject = $1 AND reason = 'insufficient_scope'
           AND (capabilities->>$2)::int = 1`,
          [MAYA.sub, `mcp:${tool}`],
        ),
      ).toBe(1)
      expect(
        await count('SELECT 1 FROM capability_invocations WHERE capability = $1', [`mcp:${tool}`]),
      ).toBe(0)
    }
    expect(await count('SELECT 1 FROM notes')).toBe(0)
    expect(await count(`SELECT 1 FROM refunds WHERE reason = 'scope test'`)).toBe(0)
  })

  it("links a customer's first session to their customer row by verified email, once", async () => {
    await db.query(
      `INSERT INTO customers (email, name, tier) VALUES ('new.person@example.com', 'New Person', 'free')`,
    )
    const gateway = await testGateway(db, { pack: supportPack })
    const signedIn = { sub: 'issuer|new-person', role: 'customer', scopes: MAYA.scopes } as const
    // No email (or one the issuer did not verify, which the verifier drops): no link.
    const anonymous = await connect(gateway, signedIn, era)
    const before = await call(anonymous, 'domain_lookup_customer', {
      session: await begin(anonymous),
    })
    expect(before.isError).toBe(true)
    const client = await connect(gateway, { ...signedIn, email: 'new.person@example.com' }, era)
    const session = await begin(client)
    const me = await call(client, 'domain_lookup_customer', { session })
    expect(me.text).toContain('New Person')
    const { rows } = await db.query<{ auth_subject: string; user_email: string }>(
      `SELECT c.auth_subject, u.email AS user_email FROM customers c
       JOIN users u ON u.id = c.auth_subject WHERE c.email = 'new.person@example.com'`,
    )
    expect(rows).toEqual([
      { auth_subject: 'issuer|new-person', user_email: 'new.person@example.com' },
    ])
    // Someone else with the same email later does not take the row over.
    const other = await connect(
      gateway,
      {
        ...signedIn,
        sub: 'other-issuer|someone',
        email: 'new.person@example.com',
      },
      era,
    )
    const theirs = await call(other, 'domain_lookup_customer', { session: await begin(other) })
    expect(theirs.isError).toBe(true)
  })

  it('treats SQL in every string argument as data', async () => {
    const client = await connect(await testGateway(db, { pack: supportPack }), STAFF, era)
    const session = await begin(client)
    const evil = "4429'; DELETE FROM refunds; --"
    const before = await count('SELECT 1 FROM refunds')
    for (const [tool, args] of [
      ['domain_lookup_order', { order: evil }],
      ['domain_get_ticket', { ticket: evil }],
      ['domain_lookup_customer', { customer_email: "a@b.co' OR '1'='1" }],
      ['domain_find_similar_cases', { description: evil }],
      ['user_save_note', { text: evil }],
    ] as const) {
      const reply = await call(client, tool, { session, ...args })
      expect(reply.text, tool).not.toMatch(/syntax error/i)
    }
    expect(await count('SELECT 1 FROM refunds')).toBe(before)
    expect(await count(`SELECT 1 FROM notes WHERE note_text = $1`, [evil])).toBe(1)
  })

  it('escalates a ticket, opens one, saves a note and state, and reports health', async () => {
    const client = await connect(await testGateway(db, { pack: supportPack }), MAYA, era)
    const session = await begin(client)
    const { rows } = await db.query<{ public_id: string }>(
      `SELECT t.public_id FROM tickets t JOIN customers c ON c.id = t.customer_id
       WHERE c.auth_subject = $1 AND t.status IN ('open', 'in_progress') LIMIT 1`,
      [MAYA.sub],
    )
    const ticket = rows[0]?.public_id
    if (ticket === undefined) throw new Error('Maya has no open ticket')
    const escalated = await call(client, 'domain_escalate_ticket', {
      session,
      ticket,
      reason: 'Refund not received after two weeks',
    })
    expect(escalated.data).toMatchObject({
      ticket_id: ticket,
      status: 'escalated',
      team: 'billing',
    })
    expect(
      await count(`SELECT 1 FROM audit_log WHERE action = 'ticket_escalated' AND target = $1`, [
        `ticket:${ticket}`,
      ]),
    ).toBe(1)

    const opened = await call(client, 'domain_open_ticket', {
      session,
      summary: 'The lamp shade is missing',
      order: '#4429',
    })
    expect(String(opened.data.ticket_id)).toMatch(/^T-5\d{3}$/)

    const note = await call(client, 'user_save_note', { session, text: 'Prefers email over phone' })
    expect(await count(`SELECT 1 FROM notes WHERE id = $1`, [note.data.note_id])).toBe(1)
    expect(
      await count(`SELECT 1 FROM audit_log WHERE action = 'note_saved' AND target = $1`, [
        `note:${note.data.note_id}`,
      ]),
    ).toBe(1)

    await call(client, 'user_save_state', {
      session,
      state: { language: 'en', last_order: '4429' },
    })
    const state = await call(client, 'user_save_state', { session, state: { last_order: null } })
    expect(state.data).toEqual({ state: { language: 'en' } })
    const next = await call(client, 'begin_session')
    expect(next.data.state).toEqual({ language: 'en' })

    expect((await call(client, 'health')).data).toEqual({ database: 'reachable' })
    const similar = await call(client, 'domain_find_similar_cases', {
      session,
      description: 'my refund has not reached my card',
    })
    expect(Array.isArray(similar.data.cases)).toBe(true)
    const unknownField = await call(client, 'domain_lookup_order', {
      session,
      order: '4429',
      user_id: 'someone',
    })
    expect(unknownField.isError).toBe(true)
    expect(unknownField.text).toMatch(/Unrecognized key.*user_id/)
  })

  it('answers every read tool for its happy path, and refuses bad input without touching data', async () => {
    const client = await connect(await testGateway(db, { pack: supportPack }), MAYA, era)
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
    expect((await ok('domain_lookup_customer')).data).toMatchObject({
      customer: { email: 'maya.okafor@example.com', tier: 'pro' },
    })
    const tickets = await ok('domain_list_tickets', { limit: 50 })
    const list = tickets.data.tickets as Array<{ ticket_id: string }>
    expect(list.length).toBeGreaterThan(0)
    const first = list[0]?.ticket_id ?? ''
    expect((await ok('domain_get_ticket', { ticket: first })).data.ticket_id).toBe(first)
    expect((await ok('domain_lookup_order', { order: 4429 })).data.order).toBe('#4429')
    const policies = await ok('domain_search_policies', {
      question: 'how long does a refund take to arrive',
    })
    expect((policies.data.passages as Array<{ policy: string }>)[0]?.policy).toBe('Refund policy')
    expect((await ok('user_get_profile')).data).toMatchObject({ role: 'customer' })
    expect(String((await ok('config_get_rules')).data.rules)).toContain('Fail closed')
    expect(String((await ok('config_get_persona')).data.persona)).toContain('support Worker')

    const invocationsBefore = await count('SELECT 1 FROM capability_invocations')
    const bad: Array<[string, Record<string, unknown>, RegExp]> = [
      ['domain_lookup_order', { order: 'DROP TABLE' }, /is not an order number/],
      ['domain_lookup_order', {}, /order: Invalid input/],
      ['domain_get_ticket', { ticket: '42' }, /is not a ticket id/],
      ['domain_list_tickets', { limit: 500 }, /limit: Too big/],
      ['domain_list_tickets', { status: 'closed' }, /status: Invalid option/],
      ['domain_find_similar_cases', { description: 'x' }, /description: Too small/],
      ['domain_search_policies', { question: 'a'.repeat(2001) }, /question: Too big/],
      [
        'domain_issue_refund',
        { order: '4429', amount_cents: -5, reason: 'x', idempotency_key: 'k' },
        /amount_cents: Too small/,
      ],
      [
        'domain_escalate_ticket',
        { ticket: first, reason: 'no', team: 'ceo' },
        /team: Invalid option/,
      ],
      ['domain_open_ticket', { summary: 'hi' }, /summary: Too small/],
      ['user_save_state', { state: 'not an object' }, /state: Invalid input/],
      ['user_save_note', { text: '' }, /text: Too small/],
      [
        'domain_issue_refund',
        { order: '4429', amount_cents: 100, reason: 'late', idempotency_key: 'short' },
        /idempotency_key: must be 8-200 characters of letters, digits and \. _ : -/,
      ],
    ]
    for (const [tool, args, message] of bad) {
      const r = await call(client, tool, { session, ...args })
      expect(r.isError, tool).toBe(true)
      expect(r.text, tool).toMatch(message)
    }
    const huge = await call(client, 'domain_lookup_order', { session, order: 'x'.repeat(100_000) })
    expect(huge.isError).toBe(true)
    expect(
      await count(
        `SELECT 1 FROM capability_invocations
         WHERE arguments @> '{"_truncated": true, "keys": ["order"]}'::jsonb`,
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
  })
})
