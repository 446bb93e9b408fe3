import { z } from 'zod'
import { defineTool, READ_ONLY, SESSION_ARGUMENT } from '../../../../src/pack/tool-definition.ts'
import { ownRows } from '../caller-scope.ts'
import { precedents } from '../precedents.ts'

export const findSimilarCasesTool = defineTool({
  name: 'domain_find_similar_cases',
  title: 'Find similar resolved cases',
  description:
    'Searches the library of resolved support tickets for cases like the one described and ' +
    'returns the closest with their resolutions, a distance (0 = same, 1 = unrelated) and a ' +
    'weak-match flag. Use it BEFORE proposing a fix whenever the user describes a problem, ' +
    'complaint or symptom ("has this happened before", "how was this fixed"). Weak matches ' +
    "mean nothing similar was found: do not present them as precedent. Other customers' " +
    'cases come without a ticket id and with names, emails, phones and order numbers taken out.',
  input: z.strictObject({
    session: SESSION_ARGUMENT,
    description: z.string().trim().min(3).max(2000).describe("The problem, in the user's words"),
    limit: z.number().int().min(1).max(10).default(5),
  }),
  activity: 'Searching similar cases…',
  annotations: READ_ONLY,
  sensitive: ['description', 'summary'],
  async run(ctx, input) {
    const hits = await ctx.search.search(
      { text: input.description, source: 'past_case', k: input.limit },
      ctx.tx,
    )
    const cases = await precedents(ctx.tx, hits, (alias, first) => ownRows(ctx, alias, first))
    const strong = cases.filter((c) => !c.weak_match)
    return {
      data: { cases },
      text:
        strong.length === 0
          ? 'No similar resolved case was found (every match is weak).'
          : strong
              .map(
                (c) =>
                  `${c.ticket_id ?? 'A past case'} (distance ${c.distance}): ${c.summary} Resolution: ${c.resolution}`,
              )
              .join('\n'),
    }
  },
})
