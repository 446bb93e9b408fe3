import type { Client } from '@modelcontextprotocol/client'
import { afterEach, beforeEach, expect, it } from 'vitest'
import type { Identity } from '../../src/auth/identity.ts'
import { scopesFor } from '../../src/auth/scopes.ts'
import { embedPendingDocuments } from '../../src/embedding/document-indexer.ts'
import { createLocalEmbedder } from '../../src/embedding/local-embedder.ts'
import { REMINDER } from '../../src/gateway/call/answers.ts'
import type { Gateway } from '../../src/gateway/gateway.ts'
import { migrationSources } from '../../src/pack/domain-pack.ts'
import { loadMigrations } from '../../src/store/migration-files.ts'
import { migrate } from '../../src/store/migrator.ts'
import { describeEachEraAndDatabase } from '../../test/support/each-era-and-database.ts'
import { call, connect, testGateway } from '../../test/support/gateway-client.ts'
import type { TestDatabase } from '../../test/support/test-databases.ts'
import { readingRoomPack } from './index.ts'

const RUI: Identity = { sub: 'demo|rui-costa', role: 'customer', scopes: scopesFor('customer') }
const MEI: Identity = { sub: 'demo|mei-chen', role: 'customer', scopes: scopesFor('customer') }

describeEachEraAndDatabase('the Reading Room pack', (target, era) => {
  let db: TestDatabase
  let gateway: Gateway
  const clients: Client[] = []

  beforeEach(async () => {
    db = await target.open('empty')
    const migrated = await migrate(db, await loadMigrations(migrationSources(readingRoomPack)))
    if (migrated.error) throw migrated.error
    await readingRoomPack.loadDemoData?.(db)
    // As `fte serve` does after loading demo data: the new documents are embedded.
    await embedPendingDocuments(db, createLocalEmbedder())
    gateway = await testGateway(db, { pack: readingRoomPack })
  })
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close()
    await db.close()
  })

  /** A new conversation for `identity`: its begin_session reply, and a caller for its tools. */
  async function conversation(identity: Identity) {
    const client = await connect(gateway, identity, era)
    clients.push(client)
    const begun = await call(client, 'begin_session')
    const session = String(begun.data.session_handle)
    const tool = async (name: string, args: Record<string, unknown> = {}) => {
      const reply = await call(client, name, { session, ...args })
      return { ...reply, text: reply.text.replace(`\n\n${REMINDER}`, '') }
    }
    return { begun, tool }
  }

  it('returns an article by id, numbered by paragraph, and says so when there is none', async () => {
    const { tool } = await conversation(RUI)
    const a1 = await tool('domain_get_item', { id: 'a1' })
    expect(a1.text).toMatch(
      /^a1 · Why Sleep Matters More Than You Think, by Dana Whitfield\n\n\[1\] Sleep is not downtime/,
    )
    expect(a1.data).toMatchObject({ id: 'a1', author: 'Dana Whitfield', left_off_at: null })
    expect(a1.data.paragraphs).toHaveLength(3)
    const none = await tool('domain_get_item', { id: 'a99' })
    expect(none).toMatchObject({ isError: true })
    expect(none.text).toContain('There is no article a99 in the Reading Room.')
    expect((await tool('domain_get_item', { id: 'DROP TABLE' })).isError).toBe(true)
  })

  it('searches the catalog by meaning through the embedding pipeline', async () => {
    const { tool } = await conversation(RUI)
    const plants = await tool('domain_search', { query: 'how do plants turn sunlight into sugar' })
    expect(plants.data.results).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'a5', title: 'Photosynthesis in Plain Words' }),
      ]),
    )
    expect((plants.data.results as Array<{ id: string }>)[0]?.id).toBe('a5')
    const passwords = await tool('domain_search', {
      query: 'one leaked password unlocks my other accounts',
      limit: 1,
    })
    expect(passwords.text).toMatch(/^a8 · Why Use a Password Manager \(distance 0\.\d+\)$/)
  })

  it('keeps the reader’s place across conversations, and each reader’s own', async () => {
    const first = await conversation(RUI)
    expect((first.begun.data.state as Record<string, unknown>).reading).toBeUndefined()
    const saved = await first.tool('user_save_reading_position', { item: 'a3', paragraph: 2 })
    expect(saved.text).toBe('Saved: paragraph 2 of "How Vaccines Teach the Immune System".')
    const tooFar = await first.tool('user_save_reading_position', { item: 'a3', paragraph: 9 })
    expect(tooFar.text).toContain('a3 has 3 paragraphs; there is no paragraph 9.')

    // A brand-new conversation: begin_session hands the place back, and the article knows it.
    const next = await conversation(RUI)
    expect((next.begun.data.state as Record<string, unknown>).reading).toEqual({
      item: 'a3',
      title: 'How Vaccines Teach the Immune System',
      paragraph: 2,
    })
    expect(next.begun.text).toContain('"reading":{"item":"a3"')
    const resumed = await next.tool('domain_get_item', { id: 'a3' })
    expect(resumed.text).toMatch(/This reader left off at paragraph 2\.$/)
    expect(resumed.data.left_off_at).toBe(2)

    const other = await conversation(MEI)
    expect((other.begun.data.state as Record<string, unknown>).reading).toBeUndefined()
    expect((await other.tool('domain_get_item', { id: 'a3' })).data.left_off_at).toBeNull()
    const { rows } = await db.query<{ target: string; actor: string }>(
      `SELECT target, actor FROM audit_log WHERE action = 'reading_position_saved'`,
    )
    expect(rows).toEqual([{ target: 'article:a3', actor: 'gateway:demo|rui-costa' }])
  })
})
