import { afterEach, beforeEach, expect, it } from 'vitest'
import { loadDemoData } from '../../domains/support/demo/load-demo-data.ts'
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
    db = await target.open('migrated')
    await buildConversation(db)
  })
  afterEach(() => db.close())

  it('summarises a conversation into its own embeddings, searched apart from documents', async () => {
    await loadDemoData(db)
    await embedPendingDocuments(db, local)
    const remembered = await rememberConversation(db, local, CONVERSATION)
    expect(remembered.summary).toMatch(/^Customer: I haven't received my refund from order #4429/)
    expect(remembered.summary).toContain('\nWorker: ')
    expect(remembered.chunks).toBe(1)
    const stored = await conversations.findForUser(db, CONVERSATION, 'demo|maya-okafor')
    expect(stored?.summary).toBe(remembered.summary)

    const search = createSearch(db, local, { conversations: conversationCorpus })
    const memory = await search.search({
      text: 'refund for order 4429 has not arrived',
      source: 'conversation',
      k: 5,
    })
    expect(memory[0]).toMatchObject({ kind: 'conversation', id: CONVERSATION, title: null })
    expect(memory.every((hit) => hit.kind === 'conversation')).toBe(true)
    const mine = await search.search({
      text: 'refund for order 4429',
      source: 'conversation',
      userId: 'demo|maya-okafor',
    })
    expect(mine.map((hit) => hit.id)).toEqual([CONVERSATION])
    const someoneElse = await search.search({
      text: 'refund for order 4429',
      source: 'conversation',
      userId: 'demo|daniel-reyes',
    })
    expect(someoneElse.map((hit) => hit.id)).not.toContain(CONVERSATION)

    const documents = await search.search({
      text: 'refund for order 4429 has not arrived',
      source: 'past_case',
      k: 50,
    })
    expect(documents.length).toBeGreaterThan(0)
    expect(documents.every((hit) => hit.kind === 'document' && hit.id !== CONVERSATION)).toBe(true)
    await expect(
      search.search({ text: 'x', source: 'past_case', userId: 'demo|maya-okafor' }),
    ).rejects.toThrow(/conversation memory only/)
  })

  it('replaces an earlier summary and its chunks when remembered again', async () => {
    await rememberConversation(db, local, CONVERSATION)
    const again = await rememberConversation(db, local, CONVERSATION, {
      summarise: async () => 'Customer asked about a late refund; the Worker escalated it.',
    })
    expect(again.chunks).toBe(1)
    const { rows } = await db.query<{ chunk_text: string }>(
      'SELECT chunk_text FROM embeddings WHERE conversation_id = $1',
      [CONVERSATION],
    )
    expect(rows).toEqual([
      { chunk_text: 'Customer asked about a late refund; the Worker escalated it.' },
    ])
  })

  it('refuses a conversation with no messages', async () => {
    await expect(
      rememberConversation(db, local, '00000000-0000-4000-8000-000000000000'),
    ).rejects.toThrow(/there is no conversation 00000000-0000-4000-8000-000000000000/)
  })

  it('leaves tool output and system text out of the digest', async () => {
    const digest = await transcriptDigest.summarise([
      { role: 'system', content: 'You are the support Worker.' },
      { role: 'user', content: 'Where is   my\norder?' },
      { role: 'tool', content: '{"order_id":"4429"}' },
      { role: 'assistant', content: 'It ships tomorrow.' },
    ])
    expect(digest).toBe('Customer: Where is my order?\nWorker: It ships tomorrow.')
  })
})
