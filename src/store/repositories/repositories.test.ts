import { afterEach, beforeEach, expect, it } from 'vitest'
import { describeEachDatabase, type TestDatabase } from '../../../test/support/test-databases.ts'
import { conversations } from '../../memory/conversations.ts'
import { users } from './users.ts'

describeEachDatabase('repositories', (target) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('migrated')
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
    const first = await users.upsert(db, { id: 'sub-1', email: 'a@example.com' })
    const again = await users.upsert(db, { id: 'sub-1' })
    expect(again).toMatchObject({ id: 'sub-1', email: 'a@example.com' })
    expect(again.createdAt).toEqual(first.createdAt)
  })

  it('merge saved state and drop keys set to null', async () => {
    await users.upsert(db, { id: 'sub-1' })
    expect(await users.state(db, 'sub-1')).toEqual({})
    await users.mergeState(db, 'sub-1', { last_order: '4429', page: 3, gone: null })
    expect(await users.mergeState(db, 'sub-1', { page: 4, last_order: null })).toEqual({ page: 4 })
    expect(await users.state(db, 'sub-1')).toEqual({ page: 4 })
  })
})
