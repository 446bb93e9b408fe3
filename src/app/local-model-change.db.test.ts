import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { Capture } from '../../test/support/capture.ts'
import { describeEachDatabase, type TestDatabase } from '../../test/support/test-databases.ts'
import type { Embedder } from '../embedding/embedder.ts'
import { importMarkdownDocuments } from '../embedding/ingest/import-documents.ts'
import type { Lexicon } from '../embedding/lexicon.ts'
import { createLocalEmbedder } from '../embedding/local-embedder.ts'
import { createSearch } from '../embedding/search.ts'
import { createLogger } from '../lib/logger.ts'
import type { DomainPack } from '../pack/domain-pack.ts'
import { embeddingIndexName } from '../store/embedding-index.ts'
import { prepareDatabase } from './prepare-database.ts'

const lexicon: Lexicon = {
  name: 'garden-v1',
  groups: [['weed', 'weeds', 'unwanted plant']],
  earlierModelNames: ['fte-local-lexical-v1'],
}

/** A pack with nothing but an empty migrations folder: the core's tables alone. */
const pack = (dir: string): DomainPack => ({
  name: 'garden',
  description: 'a pack with no tables of its own',
  migrations: { name: 'garden', dir },
})

/** The local embedder's vectors stored under another model name, as an earlier version did. */
const renamed = (embedder: Embedder, model: string): Embedder => ({
  model,
  dimensions: embedder.dimensions,
  embed: (texts) => embedder.embed(texts),
})

describeEachDatabase('a changed local model at start-up', (target) => {
  let db: TestDatabase
  let dir: string
  beforeEach(async () => {
    db = await target.open('fixture')
    dir = await mkdtemp(join(tmpdir(), 'fte-local-model-'))
    await writeFile(join(dir, 'weeds.md'), '# Weeds\n\nPull unwanted plants by the root.\n')
    await writeFile(join(dir, 'water.md'), '# Watering\n\nWater in the morning, not at noon.\n')
    await writeFile(join(dir, 'soil.md'), '# Soil\n\nCompost feeds the soil every autumn.\n')
  })
  afterEach(async () => {
    await db.close()
    await rm(dir, { recursive: true, force: true })
  })

  async function seed(embedder: Embedder) {
    await importMarkdownDocuments(db, embedder, dir, { source: 'guide', actor: 'test' })
  }

  async function prepare(embedder: Embedder) {
    const lines = new Capture()
    const logger = createLogger({ level: 'info', format: 'json', destination: lines })
    const empty = await mkdtemp(join(tmpdir(), 'fte-no-migrations-'))
    try {
      await prepareDatabase(db, { pack: pack(empty), embedder, demoData: false, logger })
    } finally {
      await rm(empty, { recursive: true, force: true })
    }
    return lines.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string; chunks?: number })
  }

  const vectors = async () =>
    (
      await db.query<{ id: string; model: string; v: string }>(
        'SELECT id::text, model, embedding::text AS v FROM embeddings ORDER BY id',
      )
    ).rows

  const indexes = async () =>
    (
      await db.query<{ indexname: string }>(
        `SELECT indexname FROM pg_indexes WHERE indexname LIKE 'embeddings_hnsw_%'`,
      )
    ).rows.map((r) => r.indexname)

  it('renames a corpus stored under an earlier name of the same vectors, without re-embedding', async () => {
    const local = createLocalEmbedder(1024, lexicon)
    await seed(renamed(local, 'fte-local-lexical-v1'))
    const before = await vectors()
    expect(new Set(before.map((r) => r.model))).toEqual(new Set(['fte-local-lexical-v1']))
    expect(await indexes()).toEqual([
      embeddingIndexName({ model: 'fte-local-lexical-v1', dimensions: 1024 }),
    ])

    const lines = await prepare(local)
    const rename = lines.find((l) => l.msg.startsWith('renamed the corpus'))
    expect(rename?.chunks).toBe(before.length)
    expect(lines.some((l) => l.msg.includes('re-embedding'))).toBe(false)
    // Same rows, same vectors, the new name; the earlier name's index gone, the new one made.
    expect(await vectors()).toEqual(before.map((r) => ({ ...r, model: local.model })))
    expect(await indexes()).toEqual([embeddingIndexName(local)])
    const [hit] = await createSearch(db, local).search({ text: 'weeds', source: 'guide' })
    expect(hit?.title).toBe('Weeds')
  })

  it('re-embeds a corpus held in another local model whose vectors differ', async () => {
    await seed(createLocalEmbedder(1024))
    const local = createLocalEmbedder(1024, { ...lexicon, earlierModelNames: [] })
    const lines = await prepare(local)
    expect(lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining([
        'the local embedding model changed: re-embedding the corpus',
        're-embedded the corpus',
      ]),
    )
    const models = new Set((await vectors()).map((r) => r.model))
    expect(models).toEqual(new Set(['fte-local-lexical-v2+garden-v1']))
    const [hit] = await createSearch(db, local).search({ text: 'unwanted plant', source: 'guide' })
    expect(hit?.title).toBe('Weeds')
  })

  it('leaves a corpus in a model of a provider alone, and says why searches are refused', async () => {
    const local = createLocalEmbedder(1024, lexicon)
    await seed(renamed(local, 'text-embedding-3-large'))
    const before = await vectors()
    const lines = await prepare(local)
    expect(lines.map((l) => l.msg)).toContain(
      'the corpus is held in another embedding model: searches are refused until it is moved',
    )
    expect(await vectors()).toEqual(before)
  })
})
