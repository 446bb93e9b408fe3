import { z } from 'zod'
import { NotFoundError } from '../../../src/lib/errors.ts'
import type { JsonObject } from '../../../src/lib/json.ts'
import type { ToolContext } from '../../../src/pack/tool-definition.ts'

export const ITEM_ID = z
  .string()
  .trim()
  .regex(/^a\d{1,6}$/, { error: 'an article id looks like a1' })
  .describe('The article id, such as a1')

export interface ArticleRow extends Record<string, unknown> {
  external_id: string
  title: string
  body: string
  metadata: JsonObject
}

/** The catalog article `id`, or a refusal that names it. */
export async function findArticle(ctx: ToolContext, id: string): Promise<ArticleRow> {
  const { rows } = await ctx.tx.query<ArticleRow>(
    `SELECT external_id, title, body, metadata FROM documents
     WHERE source = 'article' AND external_id = $1`,
    [id],
  )
  if (rows[0] === undefined) {
    throw new NotFoundError(`There is no article ${id} in the Reading Room.`)
  }
  return rows[0]
}

/** An article's paragraphs, as its body separates them with blank lines. */
export const paragraphsOf = (body: string) => body.split(/\n{2,}/).filter((p) => p.trim() !== '')
