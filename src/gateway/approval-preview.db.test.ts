import { afterEach, beforeEach, expect, it } from 'vitest'
import { z } from 'zod'
import { fixturePack } from '../../test/fixture-pack/index.ts'
import { ADA, BEN } from '../../test/fixture-pack/people.ts'
import { countRows } from '../../test/support/count-rows.ts'
import { describeEachEraAndDatabase } from '../../test/support/each-era-and-database.ts'
import { begin, call, connect, testGateway } from '../../test/support/gateway-client.ts'
import type { TestDatabase } from '../../test/support/test-databases.ts'
import { defineTool, writes } from '../pack/tool-definition.ts'
import type { ApprovalSummary } from '../protocol/approval-summary.ts'
import { META } from '../protocol/gateway-wire.ts'

const PREVIEW = { [META.preview]: true }

/** A reason written to pass for the arguments, pushing the real ones out of a cut-off view. */
const SPOOF = `${'the meeting moved online, as agreed. '.repeat(6)}"booking": 1`

describeEachEraAndDatabase('the preview of a call waiting for approval', (target, era) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('fixture')
    await fixturePack.loadDemoData?.(db)
  })
  afterEach(() => db.close())

  const count = (sql: string, params: unknown[] = []) => countRows(db, sql, params)

  /** Every row a cancellation could leave, outside the invocation records. */
  const businessRows = async () => ({
    cancelled: await count('SELECT 1 FROM bookings WHERE cancelled'),
    events: await count(`SELECT 1 FROM audit_log WHERE action <> 'capability_invoked'`),
  })

  const previews = (tool: string, status: string) =>
    count(`SELECT 1 FROM capability_invocations WHERE capability = $1 AND status = $2`, [
      `mcp:${tool}:preview`,
      status,
    ])

  it("describes a call with its tool's describer, the model text apart, leaving one invocation and no business row", async () => {
    const client = await connect(await testGateway(db, { pack: fixturePack }), ADA, era)
    const session = await begin(client)
    const before = await businessRows()
    const reply = await call(
      client,
      'domain_cancel_booking',
      { session, booking: '#2', reason: SPOOF },
      PREVIEW,
    )
    expect(reply.isError, reply.text).toBe(false)
    const summary = reply.data as unknown as ApprovalSummary
    expect(summary.title).toMatch(/^Cancel booking #2: Birch on \d{4}-\d\d-\d\d$/)
    expect(summary.lines.map((l) => [l.label, l.value])).toEqual([
      ['Booking', '#2'],
      ['Room', 'Birch'],
      ['Day', expect.stringMatching(/^\d{4}-\d\d-\d\d$/)],
      ['Status now', 'booked'],
    ])
    expect(summary.model_text).toEqual([{ label: 'Reason', text: SPOOF }])
    expect(await businessRows()).toEqual(before)
    expect(await previews('domain_cancel_booking', 'ok')).toBe(1)
    expect(
      await count(
        `SELECT 1 FROM capability_invocations WHERE capability = 'mcp:domain_cancel_booking'`,
      ),
    ).toBe(0)
    // The model's text stays out of the trail: the reason is a sensitive field.
    const { rows } = await db.query<{ arguments: unknown; result: unknown }>(
      `SELECT arguments, result FROM capability_invocations
       WHERE capability = 'mcp:domain_cancel_booking:preview'`,
    )
    expect(JSON.stringify(rows)).not.toContain('moved online')
  })

  it("answers a preview of someone else's record with the tool's own not found", async () => {
    const ben = await connect(await testGateway(db, { pack: fixturePack }), BEN, era)
    const session = await begin(ben)
    const before = await businessRows()
    // Ben has one booking: #2 is Ada's.
    const cancel = { session, booking: 2, reason: 'mine' }
    const previewed = await call(ben, 'domain_cancel_booking', cancel, PREVIEW)
    expect(previewed.isError).toBe(true)
    expect(previewed.text).toContain('No booking #2 was found for you.')
    // Only the refusal's code: nothing of the booking it was refused.
    expect(previewed.data).toEqual({
      error: { code: 'not_found', message: 'No booking #2 was found for you.' },
    })
    expect(await previews('domain_cancel_booking', 'error')).toBe(1)
    // The tool itself gives the same answer: the preview is no oracle.
    const ran = await call(ben, 'domain_cancel_booking', cancel)
    expect(ran.text.split('\n')[0]).toBe(previewed.text.split('\n')[0])
    expect(await businessRows()).toEqual(before)
  })

  it('lists the parsed arguments of a tool without a describer, its free text as the model words', async () => {
    const tool = defineTool({
      name: 'domain_close_account',
      title: 'Close an account',
      description: 'A test tool that would write.',
      input: z.strictObject({
        session: z.string().optional(),
        months: z.coerce.number().int(),
        note: z.string(),
      }),
      annotations: writes({ destructive: true, idempotent: false }),
      sensitive: ['note'],
      run: async () => {
        throw new Error('a preview must not run the tool')
      },
    })
    const pack = {
      ...fixturePack,
      gateway: { persona: 'p', rules: 'r', tools: [tool] },
    }
    const client = await connect(await testGateway(db, { pack }), ADA, era)
    const session = await begin(client)
    const reply = await call(
      client,
      'domain_close_account',
      { session, months: '3', note: 'as asked' },
      PREVIEW,
    )
    expect(reply.isError, reply.text).toBe(false)
    expect(reply.data).toEqual({
      title: 'Close an account',
      lines: [{ label: 'months', value: '3' }],
      model_text: [{ label: 'note', text: 'as asked' }],
    })
  })
})
