import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createLocalEmbedder } from '../../src/embedding/local-embedder.ts'
import { supportLexicon } from './lexicon.ts'

const demo = join(import.meta.dirname, 'demo')
/** The demo corpus, line by line and policy by policy, and every word of the lexicon. */
const texts = [
  ...readFileSync(join(demo, 'resolved-tickets.csv'), 'utf8').split('\n'),
  ...readdirSync(join(demo, 'policies'))
    .sort()
    .map((file) => readFileSync(join(demo, 'policies', file), 'utf8')),
  ...supportLexicon.groups.flat(),
]

async function digest(dimensions: number): Promise<string> {
  const vectors = await createLocalEmbedder(dimensions, supportLexicon).embed(texts)
  const hash = createHash('sha256')
  for (const vector of vectors) hash.update(new Uint8Array(Float64Array.from(vector).buffer))
  return hash.digest('hex')
}

describe("the support pack's lexicon", () => {
  it('names the local model after itself', () => {
    expect(createLocalEmbedder(1024, supportLexicon).model).toBe('fte-local-lexical-v2+support-v1')
  })

  // The digests were taken from the core's local model before the synonym table moved into this
  // pack (fte-local-lexical-v1): the same vectors, so a corpus stored under that name is renamed
  // on start instead of re-embedded. A change to the table fails here: name it support-v2 instead.
  it('makes the very vectors fte-local-lexical-v1 made, bit for bit', async () => {
    expect(texts).toHaveLength(170)
    expect(await digest(1024)).toBe(
      'ab3a4f4829ac6225217109dd7f5e6797904b172a6bc6f57b592d138b9d43e178',
    )
    expect(await digest(256)).toBe(
      '6664ab3768989e694aca0335ffd17d430ce6e6868959e7e7ca53179aaf956bb1',
    )
    expect(supportLexicon.earlierModelNames).toEqual(['fte-local-lexical-v1'])
  })
})
