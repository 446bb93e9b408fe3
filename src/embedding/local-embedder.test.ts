import { describe, expect, it } from 'vitest'
import { createLocalEmbedder, normalise } from './local-embedder.ts'

const cosine = (a: readonly number[], b: readonly number[]) =>
  a.reduce((sum, value, i) => sum + value * (b[i] ?? 0), 0)

describe('the local embedder', () => {
  const embedder = createLocalEmbedder(384)

  it('is deterministic and returns unit vectors of the configured dimension', async () => {
    const [a, b] = await embedder.embed(['My refund never arrived.', 'My refund never arrived.'])
    expect(a).toHaveLength(384)
    expect(a).toEqual(b)
    expect(cosine(a ?? [], a ?? [])).toBeCloseTo(1, 10)
    expect(embedder.model).toBe('fte-local-lexical-v1')
  })

  it('gives an empty text a zero vector instead of failing', async () => {
    const [v] = await embedder.embed(['!!!'])
    expect(v?.every((x) => x === 0)).toBe(true)
  })

  it('folds synonyms, stems and stop words into the same terms', () => {
    expect(normalise('I want my money back for the parcels')).toEqual(
      normalise('refund the packages'),
    )
    expect(normalise('Charged twice!').sort()).toEqual(normalise('double charge').sort())
  })

  it('ranks a lexically related text above an unrelated one', async () => {
    const [query, refund, shipping] = await embedder.embed([
      'where is my money back, it has been two weeks',
      'Customer says the refund was confirmed 12 business days ago but it is not on the statement.',
      'The parcel is stuck at the regional facility and tracking has not changed.',
    ])
    expect(cosine(query ?? [], refund ?? [])).toBeGreaterThan(cosine(query ?? [], shipping ?? []))
  })

  it('still matches a misspelt word through character trigrams', async () => {
    const [typo, right, other] = await embedder.embed(['refnud', 'refund', 'delivery'])
    expect(cosine(typo ?? [], right ?? [])).toBeGreaterThan(cosine(typo ?? [], other ?? []))
  })

  it('refuses a dimension it cannot serve', () => {
    expect(() => createLocalEmbedder(8)).toThrow(/16 to 4000/)
  })
})
