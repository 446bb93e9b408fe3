import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest'
import { fixturePack } from '../../test/fixture-pack/index.ts'
import { ADA, ROSA } from '../../test/fixture-pack/people.ts'
import { reply, scriptedModel } from '../../test/support/scripted-model.ts'
import type { ScriptedOpenAiServer } from '../../test/support/scripted-openai-server.ts'
import { describeEachDatabase, type TestDatabase } from '../../test/support/test-databases.ts'
import { collect, ofType, testWorker } from '../../test/support/worker-fixture.ts'
import { timelinePeople } from '../app/timeline-people.ts'
import { conversations } from '../memory/conversations.ts'
import { formatTimeline } from '../memory/format-timeline.ts'
import { handoffs } from '../memory/handoffs.ts'
import { loadTimeline } from '../memory/timeline.ts'

describeEachDatabase('the Worker in a conversation a person holds', (target) => {
  let db: TestDatabase
  let model: ScriptedOpenAiServer
  beforeAll(async () => {
    model = await scriptedModel().start()
  })
  afterAll(() => model.stop())
  beforeEach(async () => {
    db = await target.open('fixture')
  })
  afterEach(() => db.close())

  async function rows(conversationId: string) {
    const { rows: messages } = await db.query<{
      role: string
      content: string
      author: string | null
    }>(
      `SELECT role, content, author FROM messages WHERE conversation_id = $1
       AND coalesce(item->>'type', 'message') = 'message' ORDER BY seq`,
      [conversationId],
    )
    const { rows: audit } = await db.query<{ action: string }>(
      `SELECT action FROM audit_log WHERE conversation_id = $1
       AND action IN ('message_sent', 'reply_withheld') ORDER BY id`,
      [conversationId],
    )
    return { messages, audit: audit.map((a) => a.action) }
  }

  it('drops a reply whose turn was running when the takeover landed, and stays silent until the hand-back', async () => {
    const worker = await testWorker(db, model, { pack: fixturePack, identity: ADA, skills: false })
    const { id } = await conversations.create(db, ADA.sub)
    let takeover: Promise<unknown> | undefined
    // The takeover lands while the model is still answering.
    model.enqueue(
      reply(() => {
        takeover = handoffs.takeOver(db, id, ROSA.sub)
        return { text: 'I can move that booking for you right away.' }
      }),
    )
    const running = await collect(
      worker.send({ message: 'Can you move my booking?', conversationId: id }),
    )
    await takeover
    expect(ofType(running, 'message')).toEqual([])
    expect(ofType(running, 'held')).toEqual([{ type: 'held', conversationId: id, by: ROSA.sub }])
    expect(ofType(running, 'turn_ended')[0]?.status).toBe('held')
    expect(await rows(id)).toEqual({
      messages: [{ role: 'user', content: 'Can you move my booking?', author: null }],
      audit: ['reply_withheld'],
    })

    // While held, a new message goes to the person: the model is not asked (its script is empty).
    const waiting = model.pending
    const held = await collect(worker.send({ message: 'Hello? Anyone there?', conversationId: id }))
    expect(model.pending).toBe(waiting)
    expect(ofType(held, 'held')).toHaveLength(1)
    await handoffs.personMessage(db, {
      conversationId: id,
      author: ROSA.sub,
      authorName: 'Rosa',
      text: 'Hi Ada, Rosa here: I moved it to Friday.',
    })
    await handoffs.release(db, id)

    // Handed back: the Worker answers, with the person's words in its memory.
    let history = ''
    model.enqueue(
      reply((request) => {
        history = JSON.stringify(request.body)
        return { text: 'Glad Rosa sorted it out. Anything else?' }
      }),
    )
    const after = await collect(worker.send({ message: 'Thanks!', conversationId: id }))
    expect(ofType(after, 'message')[0]?.text).toBe('Glad Rosa sorted it out. Anything else?')
    expect(history).toContain('Rosa, a person from the support team')
    expect(history).toContain('I moved it to Friday')
    expect((await rows(id)).messages.map((m) => [m.role, m.author])).toEqual([
      ['user', null],
      ['user', null],
      ['assistant', ROSA.sub],
      ['user', null],
      ['assistant', null],
    ])
    // The replay tells the person's words from the Worker's, and shows the withheld reply.
    const timeline = await loadTimeline(db, id)
    const people = await timelinePeople(db, fixturePack, timeline)
    const replay = formatTimeline(id, timeline, { people })
    expect(replay).toMatch(
      / {2}Rosa \(staff\) +wrote\n {10}Hi Ada, Rosa here: I moved it to Friday\.\n/,
    )
    expect(replay).toContain(
      '  Worker for Ada Park  held its reply back: a person has the conversation',
    )
    expect(replay).toContain('  Worker for Ada Park  replied')
    await worker.close()
  })
})
