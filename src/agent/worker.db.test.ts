import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { loadFixtureDemoData } from '../../test/fixture-pack/demo-data.ts'
import { ADA } from '../../test/fixture-pack/people.ts'
import {
  fixtureWithSkill,
  MOVE_SKILL,
  QUESTION,
  scriptScenario,
} from '../../test/support/fixture-scenario.ts'
import { scriptedModel } from '../../test/support/scripted-model.ts'
import type { ScriptedOpenAiServer } from '../../test/support/scripted-openai-server.ts'
import {
  type PreparedDatabase,
  pgliteTarget,
  type TestDatabase,
} from '../../test/support/test-databases.ts'
import {
  collect,
  expectTurnRecorded,
  ofType,
  testWorker,
  trail,
} from '../../test/support/worker-fixture.ts'
import type { DomainPack } from '../pack/domain-pack.ts'

describe('the Worker', () => {
  let demo: PreparedDatabase
  let skilled: Awaited<ReturnType<typeof fixtureWithSkill>>
  let pack: DomainPack
  beforeAll(async () => {
    demo = await pgliteTarget.prepare('fixture', async (db) => {
      await loadFixtureDemoData(db)
    })
    skilled = await fixtureWithSkill()
    pack = skilled.pack
  })
  afterAll(async () => {
    await skilled.remove()
    await demo.close()
  })

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

  for (const api of ['chat', 'responses'] as const) {
    it(`moves two bookings over ${api === 'chat' ? 'Chat Completions' : 'the Responses API'}: a skill, two writes, two approvals across a restart, an ordered trail`, async () => {
      scriptScenario(model)
      let worker = await testWorker(db, model, { pack, identity: ADA, api })
      const first = await collect(worker.send({ message: QUESTION }))
      const conversationId = first[0]?.conversationId as string
      expect(ofType(first, 'skill_activated').map((e) => e.name)).toEqual([MOVE_SKILL])
      expect(ofType(first, 'tool_call').map((e) => e.name)).toEqual([
        'domain_get_booking',
        'domain_get_booking',
        'domain_book_room',
        'domain_cancel_booking',
      ])
      const [cancelFirst] = ofType(first, 'approval_requested')
      expect(cancelFirst).toMatchObject({
        tool: 'domain_cancel_booking',
        arguments: { booking: 1 },
      })
      expect(first.at(-1)).toMatchObject({ type: 'turn_ended', status: 'paused' })

      // A restart: a new Worker on the same database takes the decision and resumes the run.
      await worker.close()
      worker = await testWorker(db, model, { pack, identity: ADA, api })
      const second = await collect(
        worker.decide({ approvalId: cancelFirst?.approvalId as string, decision: 'approved' }),
      )
      expect(ofType(second, 'tool_call').map((e) => e.name)).toEqual([
        'domain_book_room',
        'domain_cancel_booking',
      ])
      const [cancelSecond] = ofType(second, 'approval_requested')
      expect(cancelSecond).toMatchObject({
        tool: 'domain_cancel_booking',
        arguments: { booking: 2 },
      })
      expect(second.at(-1)).toMatchObject({ type: 'turn_ended', status: 'paused' })
      const third = await collect(
        worker.decide({ approvalId: cancelSecond?.approvalId as string, decision: 'approved' }),
      )
      const [message] = ofType(third, 'message')
      // The reply's usage is the whole run's, across both pauses: every model request's.
      expect(message?.usage).toEqual({
        inputTokens: 100 * model.requests.length,
        outputTokens: 20 * model.requests.length,
      })
      expect(message?.text).toMatch(
        /^Your bookings #1 and #2 are now in Cedar: booking #3 on \d{4}-\d\d-\d\d and booking #4 on \d{4}-\d\d-\d\d\.$/,
      )
      expect(
        ofType(third, 'text_delta')
          .map((e) => e.delta)
          .join(''),
      ).toBe(message?.text)
      expect(third.at(-1)).toMatchObject({ type: 'turn_ended', status: 'completed' })

      const actions = (await trail(db, conversationId)).map((r) =>
        r.action === 'approval_requested' ||
        r.action === 'approval_decided' ||
        r.action === 'message_received' ||
        r.action === 'message_sent'
          ? r.action
          : `${r.action} ${r.target}`,
      )
      const expected = [
        'message_received',
        `skill_activated skill:${MOVE_SKILL}`,
        'capability_invoked mcp:domain_get_booking',
        'capability_invoked mcp:domain_get_booking',
        'room_booked booking:3',
        'capability_invoked mcp:domain_book_room',
        'approval_requested',
        'approval_decided',
        'booking_cancelled booking:1',
        'capability_invoked mcp:domain_cancel_booking',
        'room_booked booking:4',
        'capability_invoked mcp:domain_book_room',
        'approval_requested',
        'approval_decided',
        'booking_cancelled booking:2',
        'capability_invoked mcp:domain_cancel_booking',
        'message_sent',
      ]
      let at = 0
      for (const action of actions) if (action === expected[at]) at++
      expect(at, `trail: ${actions.join(', ')}`).toBe(expected.length)
      // Each write recorded its business event once, and nothing more was written.
      expect(actions.filter((a) => /^(room_booked|booking_cancelled) /.test(a))).toEqual([
        'room_booked booking:3',
        'booking_cancelled booking:1',
        'room_booked booking:4',
        'booking_cancelled booking:2',
      ])

      const { rows: bookings } = await db.query<{
        number: number
        room: string
        cancelled: boolean
      }>('SELECT number, room, cancelled FROM bookings WHERE user_id = $1 ORDER BY number', [
        ADA.sub,
      ])
      expect(bookings).toEqual([
        { number: 1, room: 'Aurora', cancelled: true },
        { number: 2, room: 'Birch', cancelled: true },
        { number: 3, room: 'Cedar', cancelled: false },
        { number: 4, room: 'Cedar', cancelled: false },
      ])
      const { rows: moved } = await db.query<{ same: boolean }>(
        `SELECT old.day = new.day AS same FROM bookings old JOIN bookings new
           ON new.user_id = old.user_id AND new.number = old.number + 2
         WHERE old.user_id = $1 ORDER BY old.number`,
        [ADA.sub],
      )
      expect(moved).toEqual([{ same: true }, { same: true }])
      await expectTurnRecorded(db, conversationId)
      await worker.close()
    })
  }
})
