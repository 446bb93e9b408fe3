import { z } from 'zod'
import { defineTool, READ_ONLY, SESSION_ARGUMENT } from '../../../../src/pack/tool-definition.ts'

export const searchTool = defineTool({
  name: 'domain_search',
  title: 'Search the Reading Room',
  description:
    'Finds articles about a topic through the embedding search: the closest articles with ' +
    'their ids, best first. Use the reader’s own words, and the article’s likely words too ' +
    '("how plants make sugar from sunlight").',
  input: z.strictObject({
    session: SESSION_ARGUMENT,
    query: z.string().trim().min(2).max(500).describe('What the reader wants, in their words'),
    limit: z.number().int().min(1).max(10).default(3),
  }),
  annotations: READ_ONLY,
  sensitive: ['query'],
  async run(ctx, input) {
    const hits = await ctx.search.search(
      { text: input.query, source: 'article', k: input.limit },
      ctx.tx,
    )
    const strong = hits.filter((hit) => !hit.weak)
    const results = strong.map((hit) => ({
      id: String(hit.metadata.article_id ?? ''),
      title: hit.title ?? '',
      distance: Math.round(hit.distance * 1000) / 1000,
    }))
    return {
      data: { query: input.query, results },
      text:
        results.length === 0
          ? 'Nothing in the Reading Room is close to that.'
          : results.map((r) => `${r.id} · ${r.title} (distance ${r.distance})`).join('\n'),
    }
  },
})
