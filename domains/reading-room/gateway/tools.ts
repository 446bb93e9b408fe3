import { z } from 'zod'
import '../audit-actions.ts'
import {
  defineTool,
  type GatewayTool,
  READ_ONLY,
  SESSION_ARGUMENT,
  type ToolContext,
} from '../../../src/gateway/gateway-tool.ts'
import { FteError } from '../../../src/lib/errors.ts'
import type { JsonObject } from '../../../src/lib/json.ts'
import type { GatewayServices } from '../../../src/pack/domain-pack.ts'

const ITEM_ID = z
  .string()
  .trim()
  .regex(/^a\d{1,6}$/, { error: 'an article id looks like a1' })
  .describe('The article id, such as a1')

interface ArticleRow extends Record<string, unknown> {
  external_id: string
  title: string
  body: string
  metadata: JsonObject
}

/** Where a reader left off, as kept in their saved state. */
export interface ReadingPosition {
  item: string
  title: string
  paragraph: number
}

async function article(ctx: ToolContext, id: string): Promise<ArticleRow> {
  const { rows } = await ctx.tx.query<ArticleRow>(
    `SELECT external_id, title, body, metadata FROM documents
     WHERE source = 'article' AND external_id = $1`,
    [id],
  )
  if (rows[0] === undefined) {
    throw new FteError('not_found', `There is no article ${id} in the Reading Room.`, {
      fault: 'caller',
    })
  }
  return rows[0]
}

const paragraphsOf = (body: string) => body.split(/\n{2,}/).filter((p) => p.trim() !== '')

async function savedPosition(ctx: ToolContext): Promise<ReadingPosition | undefined> {
  const { rows } = await ctx.tx.query<{ reading: ReadingPosition | null }>(
    `SELECT state->'reading' AS reading FROM user_state WHERE user_id = $1`,
    [ctx.identity.sub],
  )
  return rows[0]?.reading ?? undefined
}

/** Seed 001's Reading Room: fetch an article by id, search the catalog by meaning, keep your place. */
export function readingRoomTools(services: GatewayServices): GatewayTool[] {
  return [
    defineTool({
      name: 'domain_get_item',
      title: 'Read an article',
      description:
        'Returns one article of the Reading Room by its id (a1, a2, …): title, author and its ' +
        'numbered paragraphs, and where this reader left off in it, if they saved a place.',
      input: z.strictObject({ session: SESSION_ARGUMENT, id: ITEM_ID }),
      annotations: READ_ONLY,
      async run(ctx, input) {
        const found = await article(ctx, input.id)
        const paragraphs = paragraphsOf(found.body)
        const position = await savedPosition(ctx)
        const here = position?.item === found.external_id ? position : undefined
        const author = String(found.metadata.author ?? 'unknown')
        return {
          data: {
            id: found.external_id,
            title: found.title,
            author,
            paragraphs,
            left_off_at: here?.paragraph ?? null,
          },
          text:
            `${found.external_id} · ${found.title}, by ${author}\n\n` +
            paragraphs.map((p, i) => `[${i + 1}] ${p}`).join('\n\n') +
            (here === undefined ? '' : `\n\nThis reader left off at paragraph ${here.paragraph}.`),
        }
      },
    }),

    defineTool({
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
        const hits = await services.search.search(
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
    }),

    defineTool({
      name: 'user_save_reading_position',
      title: 'Keep the reader’s place',
      description:
        'Remembers where this reader stopped (an article and a paragraph), for their next ' +
        'conversation: begin_session returns it in the saved state. Use it when they stop ' +
        'reading or ask you to remember their place.',
      input: z.strictObject({
        session: SESSION_ARGUMENT,
        item: ITEM_ID,
        paragraph: z.number().int().min(1).max(1000).default(1),
      }),
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
      async run(ctx, input) {
        const found = await article(ctx, input.item)
        const count = paragraphsOf(found.body).length
        if (input.paragraph > count) {
          throw new FteError(
            'invalid_input',
            `${found.external_id} has ${count} paragraphs; there is no paragraph ${input.paragraph}.`,
            { fault: 'caller' },
          )
        }
        const position: ReadingPosition = {
          item: found.external_id,
          title: found.title,
          paragraph: input.paragraph,
        }
        await ctx.tx.query(
          `INSERT INTO user_state (user_id, state) VALUES ($1, jsonb_build_object('reading', $2::jsonb))
           ON CONFLICT (user_id) DO UPDATE
             SET state = user_state.state || jsonb_build_object('reading', $2::jsonb),
                 updated_at = now()`,
          [ctx.identity.sub, JSON.stringify(position)],
        )
        await ctx.record({
          action: 'reading_position_saved',
          target: `article:${found.external_id}`,
          payload: { paragraph: input.paragraph },
        })
        return {
          data: { reading: { ...position } },
          text: `Saved: paragraph ${input.paragraph} of "${found.title}".`,
        }
      },
    }),
  ]
}
