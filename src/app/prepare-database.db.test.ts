import { afterEach, beforeEach, expect, it } from 'vitest'
import { fixturePack } from '../../test/fixture-pack/index.ts'
import { Capture } from '../../test/support/capture.ts'
import { describeEachDatabase, type TestDatabase } from '../../test/support/test-databases.ts'
import { createLocalEmbedder } from '../embedding/local-embedder.ts'
import { createSearch } from '../embedding/search.ts'
import { createLogger } from '../lib/logger.ts'
import { conversationCorpus } from '../memory/conversation-summaries.ts'
import { prepareDatabase } from './prepare-database.ts'

describeEachDatabase('start-up preparation', (target) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('fixture')
  })
  afterEach(() => db.close())

  function prepare(embedder = createLocalEmbedder()) {
    const lines = new Capture()
    const logger = createLogger({ level: 'info', format: 'json', destination: lines })
    return prepareDatabase(db, { pack: fixturePack, embedder, demoData: true, logger }).then(() =>
      lines.text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { msg: string; err?: string }),
    )
  }

  it('embeds the demo corpus and conversation memory on a first start, nothing on the next', async () => {
    const first = await prepare()
    expect(first.map((l) => l.msg)).toEqual(
      expect.arrayContaining([
        'loaded demo data',
        'embedded documents',
        'embedded conversation summaries',
      ]),
    )
    const memory = { conversations: conversationCorpus }
    const hits = await createSearch(db, createLocalEmbedder(), memory).search({
      text: 'projector showed no picture',
      source: 'conversation',
    })
    expect(hits).toHaveLength(1)
    const second = await prepare()
    expect(second.map((l) => l.msg)).toEqual(['schema is up to date'])
  })

  it('moves the corpus itself when the local model changes (here its dimensions)', async () => {
    await prepare()
    const lines = await prepare(createLocalEmbedder(256))
    expect(lines.map((l) => l.msg)).toContain('re-embedded the corpus')
    const { rows } = await db.query<{ dimensions: number }>(
      'SELECT DISTINCT dimensions FROM embeddings',
    )
    expect(rows).toEqual([{ dimensions: 256 }])
  })
})
