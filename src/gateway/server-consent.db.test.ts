import { Client, type ClientOptions, type ElicitResult } from '@modelcontextprotocol/client'
import { InMemoryTransport } from '@modelcontextprotocol/server'
import { serveStdio } from '@modelcontextprotocol/server/stdio'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { fixturePack } from '../../test/fixture-pack/index.ts'
import { ADA, BEN } from '../../test/fixture-pack/people.ts'
import { countRows } from '../../test/support/count-rows.ts'
import { begin, call, ERAS, testGateway } from '../../test/support/gateway-client.ts'
import { describeEachDatabase, type TestDatabase } from '../../test/support/test-databases.ts'
import type { Identity } from '../auth/identity.ts'
import type { ApprovalSummary } from '../protocol/approval-summary.ts'
import { CONSENT_FIELD, CONSENT_META, META } from '../protocol/gateway-wire.ts'
import type { Gateway } from './gateway.ts'

/** Ada's cancellation of her booking #1, in `session`. */
const cancelOne = (session: string) => ({ session, booking: '#1', reason: 'plans changed' })

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736'
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`

type Answer = () => Promise<ElicitResult>
const YES: Answer = async () => ({ action: 'accept', content: { [CONSENT_FIELD]: true } })
const NO: Answer = async () => ({ action: 'decline' })
const NEVER: Answer = () => new Promise<ElicitResult>(() => {})

/** What the gateway asked the client, each time. */
interface Asked {
  message: string
  summary: ApprovalSummary
  key: unknown
}

describeEachDatabase('consent asked by the gateway itself', (target) => {
  let db: TestDatabase
  let closers: Array<() => Promise<unknown>>
  beforeEach(async () => {
    db = await target.open('fixture')
    await fixturePack.loadDemoData?.(db)
    closers = []
  })
  afterEach(async () => {
    for (const close of closers) await close().catch(() => {})
    await db.close()
  })

  const count = (sql: string, params: unknown[] = []) => countRows(db, sql, params)
  /** The invocations of the cancellation that ended with `status`. */
  const cancellations = (status: string) =>
    count(
      `SELECT 1 FROM capability_invocations
       WHERE capability = 'mcp:domain_cancel_booking' AND status = $1`,
      [status],
    )
  const cancelled = () => count('SELECT 1 FROM bookings WHERE cancelled')
  const answers = async () =>
    (
      await db.query<{ answer: string | null }>(
        'SELECT answer FROM consent_requests ORDER BY asked_at',
      )
    ).rows.map((row) => row.answer)
  const consentAudit = async () =>
    (
      await db.query<{ action: string; payload: { answer?: string } }>(
        `SELECT action, payload FROM audit_log WHERE action LIKE 'consent_%' ORDER BY id`,
      )
    ).rows.map((row) => `${row.action}${row.payload.answer ? `:${row.payload.answer}` : ''}`)

  for (const { era, revision, options } of ERAS) {
    describe(`in the ${revision} protocol`, () => {
      /** The official client, answering the gateway's questions with `answer`, in memory. */
      async function person(gateway: Gateway, answer: Answer | undefined) {
        const asked: Asked[] = []
        const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
        const served = serveStdio(gateway.factoryFor(ADA), { transport: serverSide })
        const client = new Client(
          { name: 'consent-test', version: '1.0.0' },
          { ...options, capabilities: answer === undefined ? {} : { elicitation: { form: {} } } },
        )
        if (answer !== undefined) {
          client.setRequestHandler('elicitation/create', async (request) => {
            const meta = (request.params._meta ?? {}) as Record<string, unknown>
            asked.push({
              message: request.params.message,
              summary: meta[CONSENT_META.summary] as ApprovalSummary,
              key: meta[CONSENT_META.key],
            })
            return answer()
          })
        }
        await client.connect(clientSide)
        expect(client.getProtocolEra()).toBe(era)
        closers.push(
          () => client.close(),
          () => served.close(),
        )
        return { client, asked, session: await begin(client) }
      }

      it('runs the call once the person says yes to its summary, asked once', async () => {
        const gateway = await testGateway(db, { pack: fixturePack })
        const { client, asked, session } = await person(gateway, YES)
        const reply = await call(client, 'domain_cancel_booking', cancelOne(session), {
          [META.consentKey]: 'key-1',
          traceparent: TRACEPARENT,
        })
        expect(reply.isError, reply.text).toBe(false)
        expect(await cancelled()).toBe(1)
        expect(asked).toHaveLength(1)
        expect(asked[0]?.summary.title).toMatch(/^Cancel booking #1: Aurora on \d{4}-\d\d-\d\d$/)
        expect(asked[0]?.message).toContain('Room: Aurora')
        expect(asked[0]?.key).toBe('key-1')
        expect(await answers()).toEqual(['accepted'])
        expect(await consentAudit()).toEqual(['consent_asked', 'consent_given:accepted'])
        // The question and its answer belong to the caller's trace, as the call's rows do.
        const traced = await db.query<{ trace_id: string | null }>(
          `SELECT trace_id FROM audit_log WHERE action LIKE 'consent_%'`,
        )
        expect(traced.rows.map((row) => row.trace_id)).toEqual([TRACE_ID, TRACE_ID])
        expect(await cancellations('ok')).toBe(1)
      })

      it('records a no and changes nothing', async () => {
        const gateway = await testGateway(db, { pack: fixturePack })
        const { client, asked, session } = await person(gateway, NO)
        const reply = await call(client, 'domain_cancel_booking', cancelOne(session))
        expect(reply.isError).toBe(true)
        expect(reply.data).toMatchObject({ error: { code: 'declined' } })
        expect(reply.text).toMatch(/said no/)
        expect(asked).toHaveLength(1)
        expect(await cancelled()).toBe(0)
        expect(await answers()).toEqual(['declined'])
        expect(await consentAudit()).toEqual(['consent_asked', 'consent_declined:declined'])
        expect(await cancellations('error')).toBe(1)
      })

      it('counts a form sent back without a yes as a no', async () => {
        const gateway = await testGateway(db, { pack: fixturePack })
        const { client, session } = await person(gateway, async () => ({
          action: 'accept',
          content: { [CONSENT_FIELD]: false },
        }))
        const reply = await call(client, 'domain_cancel_booking', cancelOne(session))
        expect(reply.data).toMatchObject({ error: { code: 'declined' } })
        expect(await cancelled()).toBe(0)
        expect(await answers()).toEqual(['declined'])
      })

      it('counts no answer within the time limit as a no, recorded', async () => {
        const gateway = await testGateway(db, { pack: fixturePack, consentTimeoutMs: 300 })
        const { client, session } = await person(gateway, NEVER)
        const pending = call(client, 'domain_cancel_booking', cancelOne(session))
        if (era === 'legacy') {
          // The gateway waits for the answer itself, and stops waiting at the limit.
          const reply = await pending
          expect(reply.data).toMatchObject({ error: { code: 'declined' } })
          expect(reply.text).toMatch(/did not answer in time/)
        } else {
          // The gateway holds nothing between rounds: the question is closed at the limit.
          pending.catch(() => {})
          await expect.poll(answers, { timeout: 5000, interval: 100 }).toEqual(['no_answer'])
        }
        expect(await answers()).toEqual(['no_answer'])
        expect(await consentAudit()).toEqual(['consent_asked', 'consent_declined:no_answer'])
        expect(await cancelled()).toBe(0)
      })

      it('asks nothing of a client that cannot ask its user, whose host confirms instead', async () => {
        const gateway = await testGateway(db, { pack: fixturePack })
        const { client, session } = await person(gateway, undefined)
        const listed = (await client.listTools()).tools.find(
          (tool) => tool.name === 'domain_cancel_booking',
        )
        expect(listed?.annotations?.destructiveHint).toBe(true)
        expect(listed?.description).toMatch(/cannot must confirm with its user before calling/)
        const reply = await call(client, 'domain_cancel_booking', cancelOne(session))
        expect(reply.isError, reply.text).toBe(false)
        expect(await cancelled()).toBe(1)
        expect(await answers()).toEqual([])
      })

      it('never asks about a preview, which changes nothing', async () => {
        const gateway = await testGateway(db, { pack: fixturePack })
        const { client, asked, session } = await person(gateway, YES)
        const reply = await call(client, 'domain_cancel_booking', cancelOne(session), {
          [META.preview]: true,
        })
        expect(reply.isError, reply.text).toBe(false)
        expect(asked).toHaveLength(0)
        expect(await cancelled()).toBe(0)
      })
    })
  }

  /** The official client, in memory, as `identity`; answering the gateway with `answer` if given. */
  async function clientOf(
    gateway: Gateway,
    identity: Identity,
    options: ClientOptions,
    answer?: Answer,
  ): Promise<Client> {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
    const served = serveStdio(gateway.factoryFor(identity), { transport: serverSide })
    const client = new Client(
      { name: 'binding-test', version: '1.0.0' },
      { ...options, capabilities: answer === undefined ? {} : { elicitation: { form: {} } } },
    )
    if (answer !== undefined) client.setRequestHandler('elicitation/create', answer)
    await client.connect(clientSide)
    closers.push(
      () => client.close(),
      () => served.close(),
    )
    return client
  }
  const MODERN = { versionNegotiation: { mode: { pin: '2026-07-28' as const } } }
  const SAY_YES = { consent: { action: 'accept', content: { [CONSENT_FIELD]: true } } }
  const SAY_NO = { consent: { action: 'decline' } }
  /** A retry carrying an answer and a question's state, as a 2026 client sends one. */
  const answered = (
    client: Client,
    args: Record<string, unknown>,
    state: string,
    responses: Record<string, unknown> = SAY_YES,
  ) =>
    client.callTool({
      name: 'domain_cancel_booking',
      arguments: args,
      inputResponses: responses,
      requestState: state,
    } as never)
  /** A question left open: asked of a 2026 client whose person never answers. */
  async function openQuestion(args: Record<string, unknown>, client: Client) {
    call(client, 'domain_cancel_booking', args).catch(() => {})
    await expect.poll(answers, { timeout: 5000, interval: 50 }).toEqual([null])
    const { rows } = await db.query<{ id: string }>('SELECT id FROM consent_requests')
    return rows[0]?.id as string
  }

  it('runs nothing on an answer sent again after it was taken', async () => {
    const gateway = await testGateway(db, { pack: fixturePack })
    const client = await clientOf(gateway, ADA, MODERN, YES)
    const session = await begin(client)
    const first = cancelOne(session)
    expect((await call(client, 'domain_cancel_booking', first)).isError).toBe(false)
    const { rows } = await db.query<{ id: string }>('SELECT id FROM consent_requests')
    const replayed = await answered(client, first, rows[0]?.id as string)
    expect(replayed.isError).toBe(true)
    expect(JSON.stringify(replayed.content)).toContain('matches no open question')
    expect(await cancelled()).toBe(1)
  })

  it('takes an open answer only for its own call, person and conversation', async () => {
    const gateway = await testGateway(db, { pack: fixturePack })
    const asked = await clientOf(gateway, ADA, MODERN, NEVER)
    const session = await begin(asked)
    const args = cancelOne(session)
    const state = await openQuestion(args, asked)
    const ada = await clientOf(gateway, ADA, MODERN, YES)
    const otherConversation = await begin(ada)
    const ben = await clientOf(gateway, BEN, MODERN, YES)
    const bens = await begin(ben)
    for (const [client, attempt] of [
      [ada, { ...args, booking: '#2' }],
      [ada, { ...args, session: otherConversation }],
      [ben, { ...args, session: bens }],
    ] as const) {
      const reply = await answered(client, attempt, state)
      expect(reply.isError).toBe(true)
      expect(JSON.stringify(reply.content)).toContain('matches no open question')
    }
    // The question is still open, for its own call only, and nothing ran.
    expect(await answers()).toEqual([null])
    expect(await cancelled()).toBe(0)
    expect((await answered(ada, args, state)).isError).not.toBe(true)
    expect(await cancelled()).toBe(1)
  })

  it('takes an answer as one even from a retry that declares it cannot ask', async () => {
    const gateway = await testGateway(db, { pack: fixturePack })
    const asked = await clientOf(gateway, ADA, MODERN, NEVER)
    const session = await begin(asked)
    const args = cancelOne(session)
    const state = await openQuestion(args, asked)
    const mute = await clientOf(gateway, ADA, MODERN)
    const reply = await answered(mute, args, state, SAY_NO)
    expect(JSON.stringify(reply.structuredContent)).toContain('declined')
    expect(await answers()).toEqual(['declined'])
    expect(await cancelled()).toBe(0)
  })

  it('asks a 2025 connection that declared it can, whatever its calls claim in _meta', async () => {
    const gateway = await testGateway(db, { pack: fixturePack })
    let asked = 0
    const client = await clientOf(gateway, ADA, {}, async () => {
      asked++
      return { action: 'decline' }
    })
    const session = await begin(client)
    const reply = await call(client, 'domain_cancel_booking', cancelOne(session), {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientCapabilities': {},
    })
    expect(reply.data).toMatchObject({ error: { code: 'declined' } })
    expect(asked).toBe(1)
    expect(await cancelled()).toBe(0)
  })

  it('runs nothing on a 2025 yes that comes after the caller gave up on the call', async () => {
    const gateway = await testGateway(db, { pack: fixturePack })
    const client = await clientOf(gateway, ADA, {}, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1500))
      return { action: 'accept', content: { [CONSENT_FIELD]: true } }
    })
    const session = await begin(client)
    await expect(
      client.callTool(
        {
          name: 'domain_cancel_booking',
          arguments: cancelOne(session),
        },
        { timeout: 500 },
      ),
    ).rejects.toThrow(/timed out/i)
    await expect.poll(answers, { timeout: 5000, interval: 100 }).toEqual(['no_answer'])
    // Past the late yes: still nothing done.
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect(await cancelled()).toBe(0)
    expect(await cancellations('ok')).toBe(0)
  })
})
