import { InMemoryTransport } from '@modelcontextprotocol/server'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { loadFixtureDemoData } from '../../test/fixture-pack/demo-data.ts'
import { fixturePack } from '../../test/fixture-pack/index.ts'
import { ADA } from '../../test/fixture-pack/people.ts'
import { testGateway } from '../../test/support/gateway-client.ts'
import { reply, scriptedModel } from '../../test/support/scripted-model.ts'
import type { ScriptedOpenAiServer } from '../../test/support/scripted-openai-server.ts'
import {
  type PreparedDatabase,
  pgliteTarget,
  type TestDatabase,
} from '../../test/support/test-databases.ts'
import { collect, ofType, testWorker, toolResultsIn } from '../../test/support/worker-fixture.ts'
import type { Gateway } from '../gateway/gateway.ts'
import { type GatewayAccess, inProcessAccess } from './gateway-access.ts'
import { GatewayClient } from './gateway-client.ts'

const ASK = 'Please cancel my booking #1, my plans changed.'
const CANCEL = { booking: 1, reason: 'plans changed' }

/**
 * A gateway that speaks only the 2025 protocol, as one built before 2026-07-28 does: its server
 * connected by hand, with no `server/discover`.
 */
function legacyOnlyAccess(gateway: Gateway): GatewayAccess & { client?: GatewayClient } {
  const access: GatewayAccess & { client?: GatewayClient } = {
    description: 'in-process, 2025 only',
    async connect(identity = ADA) {
      access.client ??= new GatewayClient(async () => {
        const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
        await gateway.serverFor(identity).connect(serverSide)
        return clientSide
      })
      if (access.client.era === undefined) await access.client.connect()
      return access.client
    },
    async close() {
      await access.client?.close()
    },
  }
  return access
}

describe("the Worker's consent card, as the answer to the gateway's own question", () => {
  let demo: PreparedDatabase
  beforeAll(async () => {
    demo = await pgliteTarget.prepare('fixture', async (db) => {
      await loadFixtureDemoData(db)
    })
  })
  afterAll(() => demo.close())

  let db: TestDatabase
  let model: ScriptedOpenAiServer
  beforeEach(async () => {
    db = await demo.open()
    model = await scriptedModel().start()
  })
  afterEach(async () => {
    await model.stop()
    await db.close()
  })

  const cancelled = async () =>
    (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM bookings WHERE cancelled'))
      .rows[0]?.n
  const answers = async () =>
    (await db.query<{ answer: string }>('SELECT answer FROM consent_requests')).rows.map(
      (row) => row.answer,
    )

  /** The model asks to cancel, then says what the gateway answered. */
  function scriptCancel(): void {
    model.enqueue(
      reply({ toolCalls: [{ name: 'domain_cancel_booking', arguments: CANCEL }] }),
      reply((request) => ({ text: toolResultsIn(request).join('\n').split('\n')[0] ?? '' })),
    )
  }

  for (const served of ['both eras', '2025 only'] as const) {
    it(`asks the person once, and answers the gateway with their yes (gateway serving ${served})`, async () => {
      scriptCancel()
      const gateway = await testGateway(db, { pack: fixturePack })
      const access =
        served === 'both eras' ? inProcessAccess(gateway, ADA) : legacyOnlyAccess(gateway)
      const worker = await testWorker(db, model, {
        pack: fixturePack,
        identity: ADA,
        gateway: access,
      })
      const first = await collect(worker.send({ message: ASK }))
      const [card] = ofType(first, 'approval_requested')
      expect(card?.summary?.title).toMatch(/^Cancel booking #1: Aurora/)
      const second = await collect(
        worker.decide({ approvalId: card?.approvalId as string, decision: 'approved' }),
      )
      expect(ofType(second, 'approval_requested')).toHaveLength(0)
      expect(ofType(second, 'message')[0]?.text).toMatch(/^Cancelled booking #1/)
      expect(await cancelled()).toBe(1)
      // The gateway asked, and the Worker's answer was the person's yes to that very summary.
      expect(await answers()).toEqual(['accepted'])
      const { rows } = await db.query<{ summary: { title: string } }>(
        'SELECT summary FROM consent_requests',
      )
      expect(rows[0]?.summary.title).toBe(card?.summary?.title)
      const era = (await access.connect(ADA)) as GatewayClient
      expect(era.era).toBe(served === 'both eras' ? 'modern' : 'legacy')
      await worker.close()
    })
  }

  it('gives no yes when what the gateway asks about is not what the person saw', async () => {
    scriptCancel()
    const worker = await testWorker(db, model, { pack: fixturePack, identity: ADA })
    const first = await collect(worker.send({ message: ASK }))
    const [card] = ofType(first, 'approval_requested')
    // Between the card and the call, the booking moved to another room.
    await db.query(`UPDATE bookings SET room = 'Cedar' WHERE user_id = $1 AND number = 1`, [
      ADA.sub,
    ])
    const second = await collect(
      worker.decide({ approvalId: card?.approvalId as string, decision: 'approved' }),
    )
    expect(ofType(second, 'message')[0]?.text).toMatch(/dismissed without a yes/)
    expect(await cancelled()).toBe(0)
    expect(await answers()).toEqual(['cancelled'])
    await worker.close()
  })

  it('gives no yes for a call nobody said yes to', async () => {
    scriptCancel()
    // A configuration that asks for no consent cannot skip the gateway's question.
    const worker = await testWorker(db, model, {
      pack: fixturePack,
      identity: ADA,
      approvalTools: [],
    })
    const turn = await collect(worker.send({ message: ASK }))
    expect(ofType(turn, 'approval_requested')).toHaveLength(0)
    expect(ofType(turn, 'message')[0]?.text).toMatch(/dismissed without a yes/)
    expect(await cancelled()).toBe(0)
    expect(await answers()).toEqual(['cancelled'])
    await worker.close()
  })
})
