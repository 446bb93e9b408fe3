import { z } from 'zod'
import { InvalidInputError } from '../../lib/errors.ts'
import { people } from '../../memory/people.ts'
import { defineTool, SESSION_ARGUMENT, writes } from '../../pack/tool-definition.ts'

const MAX_STATE_BYTES = 16 * 1024

/** `user_save_state`: small facts kept for the person across conversations. */
export const userSaveStateTool = defineTool({
  name: 'user_save_state',
  title: 'Remember something about the user',
  description:
    'Saves small facts to remember about the user across conversations (preferences, where ' +
    'they left off), merged into their saved state; a key set to null is forgotten. ' +
    'begin_session returns the saved state. At most 16 KB.',
  input: z.strictObject({
    session: SESSION_ARGUMENT,
    state: z.record(z.string().max(100), z.json()).describe('Keys to set (null removes one)'),
  }),
  annotations: writes({ destructive: false, idempotent: true }),
  sensitive: ['state'],
  // The state itself is capped below; this refuses a far larger one before it is parsed.
  maxInputBytes: MAX_STATE_BYTES + 1024,
  async run(ctx, input) {
    if (Buffer.byteLength(JSON.stringify(input.state)) > MAX_STATE_BYTES) {
      throw new InvalidInputError(`The state is larger than ${MAX_STATE_BYTES} bytes.`)
    }
    const state = await people.mergeState(ctx.tx, ctx.identity.sub, input.state)
    if (Buffer.byteLength(JSON.stringify(state)) > MAX_STATE_BYTES) {
      throw new InvalidInputError(`The saved state would exceed ${MAX_STATE_BYTES} bytes.`)
    }
    return { data: { state }, text: `Saved. The user's state is now ${JSON.stringify(state)}.` }
  },
})
