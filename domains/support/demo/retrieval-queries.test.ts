import { describe, expect, it } from 'vitest'
import { demoData } from './demo-data.ts'
import { retrievalQueries } from './retrieval-queries.ts'

const ticketById = new Map(demoData.tickets.map((t) => [t.publicId, t]))
const resolved = demoData.tickets.filter((t) => t.status === 'resolved')

/** Lowercased words of at least five letters: the query's content words. */
function contentWords(text: string): Set<string> {
  return new Set((text.toLowerCase().match(/[a-z]+/g) ?? []).filter((w) => w.length >= 5))
}

describe('retrieval evaluation queries', () => {
  it('has at least 30 queries', () => {
    expect(retrievalQueries.length).toBeGreaterThanOrEqual(30)
  })

  it('labels every query with 1 to 3 existing, resolved tickets', () => {
    for (const { query, relevant } of retrievalQueries) {
      expect(relevant.length, query).toBeGreaterThanOrEqual(1)
      expect(relevant.length, query).toBeLessThanOrEqual(3)
      expect(new Set(relevant).size, query).toBe(relevant.length)
      for (const id of relevant) {
        expect(ticketById.get(id)?.status, `${query} -> ${id}`).toBe('resolved')
      }
    }
  })

  it('has no duplicate queries', () => {
    const normalised = retrievalQueries.map((q) => q.query.trim().toLowerCase())
    expect(normalised.filter((q, i) => normalised.indexOf(q) !== i)).toEqual([])
  })

  it("covers every resolved category with at least one query's best ticket", () => {
    const covered = new Set(
      retrievalQueries.map((q) => ticketById.get(q.relevant[0] ?? '')?.category),
    )
    const missing = [...new Set(resolved.map((t) => t.category))].filter((c) => !covered.has(c))
    expect(missing).toEqual([])
  })

  it("paraphrases rather than copies its best ticket's wording", () => {
    const offenders: string[] = []
    for (const { query, relevant } of retrievalQueries) {
      const ticket = ticketById.get(relevant[0] ?? '')
      const ticketWords = contentWords(`${ticket?.summary ?? ''} ${ticket?.resolution ?? ''}`)
      const words = [...contentWords(query)]
      const shared = words.filter((w) => ticketWords.has(w))
      const fraction = words.length === 0 ? 0 : shared.length / words.length
      if (fraction >= 0.5) {
        offenders.push(`"${query}" shares [${shared.join(', ')}] with ${relevant[0]}`)
      }
    }
    expect(offenders, 'queries sharing half or more of their content words').toEqual([])
  })
})
