import type { Search } from '../../../src/embedding/search.ts'
import type { LabelledQuery } from './retrieval-queries.ts'

export interface RetrievalQuality {
  queries: number
  /** Mean share of a query's relevant tickets (at most 3) found in the top 3. */
  recallAt3: number
  /** Mean of 1 / rank of the first relevant ticket in the top 10 (0 when none). */
  mrr: number
  misses: { query: string; expected: readonly string[]; got: string[] }[]
}

/** Runs each labelled query against the past-case library and scores the ranking. */
export async function measureRetrieval(
  search: Search,
  queries: readonly LabelledQuery[],
): Promise<RetrievalQuality> {
  let recall = 0
  let reciprocal = 0
  const misses: RetrievalQuality['misses'] = []
  for (const q of queries) {
    const hits = await search.search({ text: q.query, source: 'past_case', k: 10 })
    const ids = hits.map((hit) => String(hit.metadata.ticket_id))
    const top3 = new Set(ids.slice(0, 3))
    recall += q.relevant.filter((id) => top3.has(id)).length / Math.min(q.relevant.length, 3)
    const rank = ids.findIndex((id) => q.relevant.includes(id))
    reciprocal += rank < 0 ? 0 : 1 / (rank + 1)
    if (rank < 0 || rank > 2)
      misses.push({ query: q.query, expected: q.relevant, got: ids.slice(0, 3) })
  }
  return {
    queries: queries.length,
    recallAt3: recall / queries.length,
    mrr: reciprocal / queries.length,
    misses,
  }
}
