import { z } from 'zod'
import { defineTool, READ_ONLY, SESSION_ARGUMENT } from '../../../../src/pack/tool-definition.ts'

export const searchPoliciesTool = defineTool({
  name: 'domain_search_policies',
  title: 'Search the policy documents',
  description:
    'Searches the policy documents (refunds, shipping, escalation) and returns the passages ' +
    'closest to the question. Use it before stating any rule, window, limit or timeframe ' +
    '("how long does a refund take", "can I return this", "what is the policy").',
  input: z.strictObject({
    session: SESSION_ARGUMENT,
    question: z.string().trim().min(3).max(2000),
    limit: z.number().int().min(1).max(10).default(3),
  }),
  activity: 'Checking our policies…',
  annotations: READ_ONLY,
  async run(ctx, input) {
    const hits = await ctx.search.search(
      { text: input.question, source: 'policy', k: input.limit },
      ctx.tx,
    )
    const passages = hits.map((h) => ({
      policy: h.title,
      passage: h.chunk,
      distance: Math.round(h.distance * 1000) / 1000,
      weak_match: h.weak,
    }))
    return {
      data: { passages },
      text:
        passages.length === 0
          ? 'No policy passage was found.'
          : passages.map((p) => `[${p.policy}] ${p.passage}`).join('\n\n'),
    }
  },
})
