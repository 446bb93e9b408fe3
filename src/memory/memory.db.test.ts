import { afterEach, beforeEach, expect, it } from 'vitest'
import { describeEachDatabase, type TestDatabase } from '../../test/support/test-databases.ts'
import { conversations } from './conversations.ts'
import { people } from './people.ts'

describeEachDatabase('memory', (target) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('fixture')
  })
  afterEach(() => db.close())

  it('keep a conversation and its messages in the order they were written', async () => {
    const conversation = await conversations.create(db, 'demo|maya-okafor', { channel: 'cli' })
    await db.transaction(async (tx) => {
      await conversations.appendMessage(tx, {
        conversationId: conversation.id,
        role: 'user',
        content: 'one',
      })
      await conversations.appendMessage(tx, {
        conversationId: conversation.id,
        role: 'assistant',
        content: 'two',
        inputTokens: 10,
        outputTokens: 3,
      })
    })
    const messages = await conversations.messages(db, conversation.id)
    expect(messages.map((m) => [m.role, m.content, m.outputTokens])).toEqual([
      ['user', 'one', null],
      ['assistant', 'two', 3],
    ])
    expect((await conversations.messages(db, conversation.id, 1)).map((m) => m.content)).toEqual([
      'two',
    ])
    expect(conversation.metadata).toEqual({ channel: 'cli' })
  })

  it('find a conversation only for the user it belongs to', async () => {
    const mine = await conversations.create(db, 'user-a')
    expect((await conversations.findForUser(db, mine.id, 'user-a'))?.id).toBe(mine.id)
    expect(await conversations.findForUser(db, mine.id, 'user-b')).toBeUndefined()
    await conversations.create(db, 'user-b')
    expect((await conversations.listForUser(db, 'user-a')).map((c) => c.id)).toEqual([mine.id])
  })

  it('end a conversation with its summary', async () => {
    const c = await conversations.create(db, 'u')
    await conversations.end(db, c.id, 'refund traced')
    expect(await conversations.findForUser(db, c.id, 'u')).toMatchObject({
      summary: 'refund traced',
    })
    expect((await conversations.findForUser(db, c.id, 'u'))?.endedAt).toBeInstanceOf(Date)
  })

  it('create a user on first sight and keep the first email when later sign-ins omit it', async () => {
    await people.seen(db, { sub: 'sub-1', email: 'a@example.com' })
    const first = await people.profile(db, 'sub-1')
    await people.seen(db, { sub: 'sub-1' })
    const again = await people.profile(db, 'sub-1')
    expect(again).toMatchObject({ email: 'a@example.com' })
    expect(again?.firstSeen).toEqual(first?.firstSeen)
  })

  it('merge saved state and drop keys set to null', async () => {
    await people.seen(db, { sub: 'sub-1' })
    expect(await people.state(db, 'sub-1')).toEqual({})
    await people.mergeState(db, 'sub-1', { last_order: '4429', page: 3, gone: null })
    expect(await people.mergeState(db, 'sub-1', { page: 4, last_order: null })).toEqual({ page: 4 })
    expect(await people.state(db, 'sub-1')).toEqual({ page: 4 })
  })

  it('claim a conversation for its owner, make it when missing, and refuse it to anyone else', async () => {
    const id = '00000000-0000-4000-8000-00000000c1a1'
    expect(await conversations.claim(db, id, 'sub-1')).toBe(true)
    expect(await conversations.claim(db, id, 'sub-1')).toBe(true)
    expect(await conversations.claim(db, id, 'sub-2')).toBe(false)
    const { rows } = await db.query<{ user_id: string }>(
      'SELECT user_id FROM conversations WHERE id = $1',
      [id],
    )
    expect(rows).toEqual([{ user_id: 'sub-1' }])
  })
})
