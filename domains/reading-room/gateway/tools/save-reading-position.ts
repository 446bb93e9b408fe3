import { z } from 'zod'
import '../../audit-actions.ts'
import { InvalidInputError } from '../../../../src/lib/errors.ts'
import { defineTool, SESSION_ARGUMENT, writes } from '../../../../src/pack/tool-definition.ts'
import { findArticle, ITEM_ID, paragraphsOf } from '../article.ts'
import type { ReadingPosition } from '../reading-position.ts'

export const saveReadingPositionTool = defineTool({
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
  annotations: writes({ destructive: false, idempotent: true }),
  async run(ctx, input) {
    const found = await findArticle(ctx, input.item)
    const count = paragraphsOf(found.body).length
    if (input.paragraph > count) {
      throw new InvalidInputError(
        `${found.external_id} has ${count} paragraphs; there is no paragraph ${input.paragraph}.`,
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
})
