import { afterEach, beforeEach, expect, it } from 'vitest'
import type { ApprovalSummary } from '../../../src/protocol/approval-summary.ts'
import { META } from '../../../src/protocol/gateway-wire.ts'
import { countRows } from '../../../test/support/count-rows.ts'
import { describeEachEraAndDatabase } from '../../../test/support/each-era-and-database.ts'
import { begin, call, connect, testGateway } from '../../../test/support/gateway-client.ts'
import { DANIEL, MAYA } from '../../../test/support/support-scenario.ts'
import type { TestDatabase } from '../../../test/support/test-databases.ts'
import { loadDemoData } from '../demo/load-demo-data.ts'
import { supportPack } from '../index.ts'

const PREVIEW = { [META.preview]: true }

/** A reason written to pass for the arguments, pushing the real ones out of a cut-off view. */
const SPOOF = `${'refund for the damaged item, as agreed. '.repeat(6)}"amount_cents": 100`

// What a person approving a refund or an escalation is shown: the support pack's describers.
describeEachEraAndDatabase('the preview of a support call waiting for approval', (target, era) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('support')
    await loadDemoData(db)
  })
  afterEach(() => db.close())

  const count = (sql: string, params: unknown[] = []) => countRows(db, sql, params)

  /** Every row a refund or an escalation could leave, outside the invocation records. */
  const businessRows = async () => ({
    refunds: await count('SELECT 1 FROM refunds'),
    idempotency: await count('SELECT 1 FROM idempotency_records'),
    escalated: await count(`SELECT 1 FROM tickets WHERE status = 'escalated'`),
    refunded: await count(`SELECT 1 FROM orders WHERE status = 'refunded'`),
    events: await count(`SELECT 1 FROM audit_log WHERE action <> 'capability_invoked'`),
  })

  const previews = (tool: string, status: string) =>
    count(`SELECT 1 FROM capability_invocations WHERE capability = $1 AND status = $2`, [
      `mcp:${tool}:preview`,
      status,
    ])

  it('describes a refund from the records, the model text apart, leaving one invocation and no business row', async () => {
    const client = await connect(await testGateway(db, { pack: supportPack }), MAYA, era)
    const session = await begin(client)
    const before = await businessRows()
    const reply = await call(
      client,
      'domain_issue_refund',
      {
        session,
        order: '#4380',
        amount_cents: 4590,
        reason: SPOOF,
        idempotency_key: 'preview-0001',
      },
      PREVIEW,
    )
    expect(reply.isError, reply.text).toBe(false)
    const summary = reply.data as unknown as ApprovalSummary
    expect(summary.title).toBe('Refund $45.90 on order #4380')
    expect(Object.fromEntries(summary.lines.map((l) => [l.label, l.value]))).toEqual({
      Order: '#4380 (delivered)',
      Customer: 'Maya Okafor <maya.okafor@example.com>',
      'Amount to refund': '$45.90',
      'Order total': '$45.90',
      'Already refunded': '$0.00',
      'Left to refund': '$45.90',
    })
    expect(summary.model_text).toEqual([{ label: 'Reason', text: SPOOF }])
    expect(JSON.stringify(summary.lines)).not.toContain('$1.00')
    expect(await businessRows()).toEqual(before)
    expect(await previews('domain_issue_refund', 'ok')).toBe(1)
    expect(
      await count(
        `SELECT 1 FROM capability_invocations WHERE capability = 'mcp:domain_issue_refund'`,
      ),
    ).toBe(0)
    // Its audit row names the preview; the email and the model's text stay out of the trail.
    const { rows } = await db.query<{ result: unknown }>(
      `SELECT result FROM capability_invocations WHERE capability = 'mcp:domain_issue_refund:preview'`,
    )
    expect(JSON.stringify(rows)).not.toMatch(/maya\.okafor@|damaged item/)
  })

  it('says what is already refunded on the order', async () => {
    const client = await connect(await testGateway(db, { pack: supportPack }), MAYA, era)
    const session = await begin(client)
    const reply = await call(
      client,
      'domain_issue_refund',
      {
        session,
        order: '4429',
        amount_cents: 21_900,
        reason: 'again',
        idempotency_key: 'preview-0002',
      },
      PREVIEW,
    )
    const lines = (reply.data as unknown as ApprovalSummary).lines
    expect(lines).toContainEqual({ label: 'Already refunded', value: '$219.00 (1 refund)' })
    expect(lines).toContainEqual({ label: 'Left to refund', value: '$0.00' })
    expect(lines.find((l) => l.label === 'Note')?.value).toMatch(/more than is left to refund/)
  })

  it("answers a customer previewing another customer's order or ticket with the tool's not found", async () => {
    const gateway = await testGateway(db, { pack: supportPack })
    const daniel = await connect(gateway, DANIEL, era)
    const session = await begin(daniel)
    const before = await businessRows()
    const refund = {
      session,
      order: '4429',
      amount_cents: 100,
      reason: 'mine',
      idempotency_key: 'preview-0003',
    }
    const previewed = await call(daniel, 'domain_issue_refund', refund, PREVIEW)
    expect(previewed.isError).toBe(true)
    expect(previewed.text).toContain('No order 4429 was found for you.')
    // Only the refusal's code: nothing of the order it was refused.
    expect(previewed.data).toEqual({
      error: { code: 'not_found', message: 'No order 4429 was found for you.' },
    })
    const escalation = { session, ticket: 'T-1099', reason: 'mine' }
    const ticket = await call(daniel, 'domain_escalate_ticket', escalation, PREVIEW)
    expect(ticket.isError).toBe(true)
    expect(ticket.text).toContain('No ticket T-1099 was found for you.')
    expect(await previews('domain_issue_refund', 'error')).toBe(1)
    expect(await previews('domain_escalate_ticket', 'error')).toBe(1)
    // The tool itself gives the same answer: the preview is no oracle.
    const ran = await call(daniel, 'domain_issue_refund', refund)
    expect(ran.text.split('\n')[0]).toBe(previewed.text.split('\n')[0])
    expect(await businessRows()).toEqual(before)
  })

  it('describes an escalation: the ticket, its subject and the team the server would pick', async () => {
    const client = await connect(await testGateway(db, { pack: supportPack }), MAYA, era)
    const session = await begin(client)
    const before = await businessRows()
    const reason = 'refund issued but not received after two weeks'
    const reply = await call(
      client,
      'domain_escalate_ticket',
      { session, ticket: 'T-1099', reason },
      PREVIEW,
    )
    const summary = reply.data as unknown as ApprovalSummary
    expect(summary.title).toBe('Escalate ticket T-1099 to the billing team')
    expect(summary.lines).toEqual([
      { label: 'Ticket', value: 'T-1099' },
      {
        label: 'Subject',
        value: "I haven't received my refund from order #4429, it's been two weeks.",
      },
      { label: 'Order', value: '#4429' },
      { label: 'Customer', value: 'maya.okafor@example.com' },
      { label: 'Status now', value: 'open' },
      { label: 'Team', value: 'billing (chosen by the server)' },
    ])
    expect(summary.model_text).toEqual([{ label: 'Reason', text: reason }])
    expect(await businessRows()).toEqual(before)
  })
})
