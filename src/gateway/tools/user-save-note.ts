import { z } from 'zod'
import { people } from '../../memory/people.ts'
import { defineTool, SESSION_ARGUMENT, writes } from '../../pack/tool-definition.ts'

/** `user_save_note`: a note for the person, written with its audit row. */
export const userSaveNoteTool = defineTool({
  name: 'user_save_note',
  title: 'Save a note',
  description:
    'Saves a note for the signed-in user ("note that…", "remember that…", "write down…") and ' +
    'returns its id. The note and its audit row are written together.',
  input: z.strictObject({
    session: SESSION_ARGUMENT,
    text: z.string().trim().min(1).max(10_000),
  }),
  annotations: writes({ destructive: false, idempotent: false }),
  sensitive: ['text'],
  async run(ctx, input) {
    const id = await people.addNote(ctx.tx, {
      sub: ctx.identity.sub,
      conversationId: ctx.conversationId ?? null,
      text: input.text,
    })
    await ctx.record({
      action: 'note_saved',
      target: `note:${id}`,
      payload: { length: input.text.length },
    })
    return { data: { note_id: id }, text: `Note saved (${id}).` }
  },
})
