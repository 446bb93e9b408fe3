import { describe, expect, it } from 'vitest'
import type { Lexicon } from './lexicon.ts'
import { createLocalEmbedder, isLocalModel, termsOf } from './local-embedder.ts'

const lexicon: Lexicon = {
  name: 'shop-v1',
  groups: [
    ['refund', 'money back', 'reimbursement'],
    ['package', 'parcel'],
    ['twice', 'double'],
    ['charge', 'charged'],
  ],
}

const cosine = (a: readonly number[], b: readonly number[]) =>
  a.reduce((sum, value, i) => sum + value * (b[i] ?? 0), 0)

describe('the local embedder', () => {
  const embedder = createLocalEmbedder(384, lexicon)

  it('is deterministic and returns unit vectors of the configured dimension', async () => {
    const [a, b] = await embedder.embed(['My refund never arrived.', 'My refund never arrived.'])
    expect(a).toHaveLength(384)
    expect(a).toEqual(b)
    expect(cosine(a ?? [], a ?? [])).toBeCloseTo(1, 10)
    expect(embedder.model).toBe('fte-local-lexical-v2+shop-v1')
  })

  it('is named by its version alone without a lexicon, and both names are local', () => {
    const plain = createLocalEmbedder(384)
    expect(plain.model).toBe('fte-local-lexical-v2')
    expect(isLocalModel(plain.model) && isLocalModel(embedder.model)).toBe(true)
    expect(isLocalModel('text-embedding-3-small')).toBe(false)
  })

  it('gives an empty text a zero vector instead of failing', async () => {
    const [v] = await embedder.embed(['!!!'])
    expect(v?.every((x) => x === 0)).toBe(true)
  })

  it('folds synonyms, stems and stop words into the same terms', () => {
    const terms = termsOf(lexicon)
    expect(terms('I want my money back for the parcels')).toEqual(terms('refund the packages'))
    expect(terms('Charged twice!').sort()).toEqual(terms('double charge').sort())
  })

  it('folds no synonyms without a lexicon', () => {
    const terms = termsOf()
    expect(terms('money back for the parcels')).toEqual(['monei', 'back', 'parcel'])
    expect(terms('money back for the parcels')).not.toEqual(terms('refund the packages'))
  })

  it('refuses a lexicon whose name cannot sit in a model name', () => {
    expect(() => createLocalEmbedder(384, { name: 'Shop V1', groups: [] })).toThrow(
      /lower-case letters, digits and dashes/,
    )
    expect(() => createLocalEmbedder(384, { name: 'shop-v1', groups: [['refund', '']] })).toThrow(
      /empty group or word/,
    )
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
