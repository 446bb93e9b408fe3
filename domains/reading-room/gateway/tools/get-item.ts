import { z } from 'zod'
import { defineTool, READ_ONLY, SESSION_ARGUMENT } from '../../../../src/pack/tool-definition.ts'
import { findArticle, ITEM_ID, paragraphsOf } from '../article.ts'
import { savedPosition } from '../reading-position.ts'

export const getItemTool = defineTool({
  name: 'domain_get_item',
  title: 'Read an article',
  description:
    'Returns one article of the Reading Room by its id (a1, a2, …): title, author and its ' +
    'numbered paragraphs, and where this reader left off in it, if they saved a place.',
  input: z.strictObject({ session: SESSION_ARGUMENT, id: ITEM_ID }),
  annotations: READ_ONLY,
  async run(ctx, input) {
    const found = await findArticle(ctx, input.id)
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
})
