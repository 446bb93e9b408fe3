import { afterEach, beforeEach, expect, it } from 'vitest'
import { fixturePack } from '../../test/fixture-pack/index.ts'
import { ADA, BEN } from '../../test/fixture-pack/people.ts'
import { buildConversation, CONVERSATION } from '../../test/support/conversation-fixture.ts'
import { describeEachDatabase, type TestDatabase } from '../../test/support/test-databases.ts'
import { embedPendingDocuments } from '../embedding/document-indexer.ts'
import { createLocalEmbedder } from '../embedding/local-embedder.ts'
import { createSearch } from '../embedding/search.ts'
import {
  conversationCorpus,
  rememberConversation,
  transcriptDigest,
} from './conversation-summaries.ts'
import { conversations } from './conversations.ts'

const local = createLocalEmbedder()

describeEachDatabase('conversation memory', (target) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('fixture')
    await buildConversation(db)
  })
  afterEach(() => db.close())

  it('summarises a conversation into its own embeddings, searched apart from documents', async () => {
    await fixturePack.loadDemoData?.(db)
    await embedPendingDocuments(db, local)
    const remembered = await rememberConversation(db, local, CONVERSATION)
    expect(remembered.summary).toMatch(/^Customer: Please cancel my booking #2 of the Birch room/)
    expect(remembered.summary).toContain('\nWorker: ')
    expect(remembered.chunks).toBe(1)
    const stored = await conversations.findForUser(db, CONVERSATION, ADA.sub)
    expect(stored?.summary).toBe(remembered.summary)

    const search = createSearch(db, local, { conversations: conversationCorpus })
    const memory = await search.search({
      text: 'cancel my booking of the Birch room',
      source: 'conversation',
      k: 5,
    })
    expect(memory[0]).toMatchObject({ kind: 'conversation', id: CONVERSATION, title: null })
    expect(memory.every((hit) => hit.kind === 'conversation')).toBe(true)
    const mine = await search.search({
      text: 'cancel the Birch room',
      source: 'conversation',
      userId: ADA.sub,
    })
    expect(mine.map((hit) => hit.id)).toEqual([CONVERSATION])
    const someoneElse = await search.search({
      text: 'cancel the Birch room',
      source: 'conversation',
      userId: BEN.sub,
    })
    expect(someoneElse.map((hit) => hit.id)).not.toContain(CONVERSATION)

    const documents = await search.search({
      text: 'cancel my booking of the Birch room',
      source: 'guide',
      k: 50,
    })
    expect(documents.length).toBeGreaterThan(0)
    expect(documents.every((hit) => hit.kind === 'document' && hit.id !== CONVERSATION)).toBe(true)
    await expect(search.search({ text: 'x', source: 'guide', userId: ADA.sub })).rejects.toThrow(
      /conversation memory only/,
    )
  })

  it('replaces an earlier summary and its chunks when remembered again', async () => {
    await rememberConversation(db, local, CONVERSATION)
    const again = await rememberConversation(db, local, CONVERSATION, {
      summarise: async () => 'Customer asked to cancel a booking; the Worker cancelled it.',
    })
    expect(again.chunks).toBe(1)
    const { rows } = await db.query<{ chunk_text: string }>(
      'SELECT chunk_text FROM embeddings WHERE conversation_id = $1',
      [CONVERSATION],
    )
    expect(rows).toEqual([
      { chunk_text: 'Customer asked to cancel a booking; the Worker cancelled it.' },
    ])
  })

  it('refuses a conversation with no messages', async () => {
    await expect(
      rememberConversation(db, local, '00000000-0000-4000-8000-000000000000'),
    ).rejects.toThrow(/there is no conversation 00000000-0000-4000-8000-000000000000/)
  })

  it('leaves tool output and system text out of the digest', async () => {
    const digest = await transcriptDigest.summarise([
      { role: 'system', content: 'You are the room-booking Worker.' },
      { role: 'user', content: 'Which   room\nis free?' },
      { role: 'tool', content: '{"room":"Cedar"}' },
      { role: 'assistant', content: 'Cedar is free tomorrow.' },
    ])
    expect(digest).toBe('Customer: Which room is free?\nWorker: Cedar is free tomorrow.')
  })
})
