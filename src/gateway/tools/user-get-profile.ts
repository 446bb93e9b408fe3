import { z } from 'zod'
import { people } from '../../memory/people.ts'
import { defineTool, READ_ONLY, SESSION_ARGUMENT } from '../../pack/tool-definition.ts'

/** `user_get_profile`: who the signed-in person is to this system. */
export const userGetProfileTool = defineTool({
  name: 'user_get_profile',
  title: "Get the signed-in user's profile",
  description:
    'Returns who the signed-in user is to this system: their role, email ' +
    'and when they were first seen. Use it when the user asks "who am I signed in as".',
  input: z.strictObject({ session: SESSION_ARGUMENT }),
  annotations: READ_ONLY,
  isolation: 'statement',
  async run(ctx) {
    const profile = await people.profile(ctx.tx, ctx.identity.sub)
    const data = {
      role: ctx.identity.role,
      email: profile?.email ?? null,
      first_seen: profile?.firstSeen.toISOString() ?? null,
    }
    return {
      data,
      text: `Signed in as ${data.email ?? 'a user without an email'} (${data.role}).`,
    }
  },
})
