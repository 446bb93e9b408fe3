import { describe, expect, it } from 'vitest'
import { chunkText } from './chunker.ts'
import { countTokens } from './tokenizer.ts'

const sentence = (i: number) =>
  `Sentence number ${i} explains one step of the refund process in plain words for the customer.`

function longDocument(sections: number, paragraphsPerSection: number): string {
  const parts: string[] = []
  let n = 0
  for (let s = 0; s < sections; s++) {
    parts.push(`## Section ${s + 1}`)
    for (let p = 0; p < paragraphsPerSection; p++) {
      parts.push([0, 1, 2, 3].map(() => sentence(n++)).join(' '))
    }
  }
  return parts.join('\n\n')
}

describe('chunkText', () => {
  it('keeps a document under about 300 tokens whole', () => {
    const text = '  A short resolved ticket: the refund was traced with the ARN.  \n'
    const chunks = chunkText(text)
    expect(chunks).toHaveLength(1)
    expect(chunks[0]).toMatchObject({ index: 0, text: text.trim(), charStart: 2 })
    expect(chunks[0]?.tokenCount).toBe(countTokens(text.trim()))
  })

  it('returns nothing for blank text', () => {
    expect(chunkText(' \n\n ')).toEqual([])
  })

  it('cuts a long document into chunks of at most the target, recording exact offsets', () => {
    const text = longDocument(6, 5)
    const chunks = chunkText(text)
    expect(countTokens(text)).toBeGreaterThan(2000)
    expect(chunks.length).toBeGreaterThan(4)
    for (const chunk of chunks) {
      expect(chunk.text).toBe(text.slice(chunk.charStart, chunk.charEnd))
      expect(chunk.tokenCount).toBe(countTokens(chunk.text))
      expect(chunk.tokenCount).toBeLessThanOrEqual(400)
    }
    // All but the tail are well filled.
    for (const chunk of chunks.slice(0, -1)) expect(chunk.tokenCount).toBeGreaterThan(250)
    expect(chunks.map((c) => c.index)).toEqual(chunks.map((_, i) => i))
    expect(chunks[0]?.charStart).toBe(0)
    expect(chunks.at(-1)?.charEnd).toBe(text.length)
  })

  it('repeats 10–20 % of each chunk at the start of the next, on sentence boundaries', () => {
    const text = longDocument(6, 5)
    const chunks = chunkText(text)
    for (let i = 1; i < chunks.length; i++) {
      const previous = chunks[i - 1]
      const current = chunks[i]
      if (previous === undefined || current === undefined) throw new Error('missing chunk')
      expect(current.charStart).toBeLessThan(previous.charEnd)
      expect(current.charStart).toBeGreaterThan(previous.charStart)
      const shared = countTokens(text.slice(current.charStart, previous.charEnd))
      expect(shared).toBeGreaterThanOrEqual(40)
      expect(shared).toBeLessThanOrEqual(80)
      expect(current.text).toMatch(/^Sentence number \d+/)
    }
  })

  it('starts a new chunk at a heading once the current one is well filled', () => {
    const text = longDocument(6, 2)
    const chunks = chunkText(text)
    // What a chunk adds after the overlap it repeats begins with a heading.
    const startsAtHeading = chunks.slice(1).filter((c, i) =>
      text
        .slice(chunks[i]?.charEnd ?? 0, c.charEnd)
        .trimStart()
        .startsWith('## '),
    )
    expect(startsAtHeading.length).toBe(chunks.length - 1)
    // No chunk ends with a bare heading: a heading travels with its first paragraph.
    for (const chunk of chunks) expect(chunk.text).not.toMatch(/## Section \d+$/)
  })

  it('splits a sentence longer than the target between words', () => {
    const words = Array.from({ length: 1200 }, (_, i) => `word${i}`).join(' ')
    const chunks = chunkText(words)
    expect(chunks.length).toBeGreaterThan(2)
    for (const chunk of chunks) {
      expect(chunk.tokenCount).toBeLessThanOrEqual(400)
      expect(chunk.text).toMatch(/^word\d+/)
      expect(chunk.text).toMatch(/word\d+$/)
    }
  })
})
