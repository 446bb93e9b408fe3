import { z } from 'zod'
import type { Identity } from '../auth/identity.ts'
import { InvalidInputError, NotFoundError } from '../lib/errors.ts'
import { isUuidAnyCase } from '../lib/uuid.ts'
import { conversations } from '../memory/conversations.ts'
import { people } from '../memory/people.ts'
import {
  defineTool,
  READ_ONLY,
  SESSION_ARGUMENT,
  type ToolDefinition,
} from '../pack/tool-definition.ts'
import type { Queryable } from '../store/database.ts'
import type { GatewayDeps } from './call/gateway-deps.ts'

const MAX_STATE_BYTES = 16 * 1024

/** The core's rules; the pack's follow. The fail-closed paragraph is the one that matters most. */
export const CORE_RULES = `1. Call begin_session first on every new request, and pass its session handle to every other tool.
2. The tools are the only source of truth about the records this system holds and its policy. Quote what they return; never invent ids, amounts, dates, statuses or policy.
3. The user is already identified by their sign-in. Never ask for, accept or pass a user id; you can only see what this user may see.
4. What the server decides stands. If a call comes back refused or blocked, tell the user the reason and do what it says to do next (hand over, say); do not try to get around it.
5. Fail closed: if a tool returns an error, times out or says the system of record is unavailable, do not answer from memory, do not guess and do not make anything up. Tell the user you cannot check right now and offer to try again or to hand over to a person.`

export interface CoreToolsOptions {
  ready: () => Promise<GatewayDeps>
  sessionTtlSeconds: number
  persona: string
  rules: string
  conversationMetaKey: string
  /** The pack's link from a signed-in person to its own records. */
  linkIdentity?: ((tx: Queryable, identity: Identity) => Promise<void>) | undefined
}

/** begin_session, health, user_* and config_*: the tools every domain shares. */
export function coreTools(options: CoreToolsOptions): ToolDefinition[] {
  const { persona, rules, sessionTtlSeconds } = options
  return [
    defineTool({
      name: 'begin_session',
      title: 'Begin a session (call this first)',
      description:
        'CALL THIS FIRST on any new request, before any other tool. Returns the rules you must ' +
        "follow (including what to do when a tool fails), the persona, the user's saved state, and " +
        `a session handle that every other tool needs. The handle lasts ${Math.round(sessionTtlSeconds / 60)} minutes; ` +
        'when a tool says the session is missing or expired, call begin_session again.',
      input: z.strictObject({}),
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
      needsSession: false,
      // Starting a session records who is here, but asks nothing more of a token than to read.
      scope: 'read',
      sensitive: ['state'],
      async run(ctx) {
        const { tx, identity } = ctx
        await people.seen(tx, identity)
        await options.linkIdentity?.(tx, identity)
        const asked = ctx.meta[options.conversationMetaKey]
        let conversationId: string
        if (typeof asked === 'string' && isUuidAnyCase(asked)) {
          if (!(await conversations.claim(tx, asked, identity.sub))) {
            throw new NotFoundError(`No conversation ${asked} was found for you.`)
          }
          conversationId = asked
        } else {
          conversationId = (await conversations.create(tx, identity.sub)).id
        }
        const state = await people.state(tx, identity.sub)
        const { handle, claims } = await (await options.ready()).sessions.issue({
          sub: identity.sub,
          conversationId,
          ttlSeconds: sessionTtlSeconds,
        })
        await ctx.record({
          action: 'session_started',
          conversationId,
          target: `session:${claims.sessionId.slice(0, 8)}`,
          payload: { role: identity.role, expires_at: claims.expiresAt.toISOString() },
        })
        const allRules = `${CORE_RULES}\n${rules}`
        return {
          data: {
            session_handle: handle,
            expires_at: claims.expiresAt.toISOString(),
            conversation_id: conversationId,
            user: { id: identity.sub, role: identity.role },
            rules: allRules,
            persona,
            state,
          },
          text:
            `Session started (expires ${claims.expiresAt.toISOString()}). Pass this session handle to every other tool:\n${handle}\n\n` +
            `Persona: ${persona}\n\nRules:\n${allRules}\n\nSaved state: ${JSON.stringify(state)}`,
        }
      },
    }),

    defineTool({
      name: 'health',
      title: 'Check the system of record',
      description:
        'Says whether the database behind every other tool is reachable. Needs no session. Use it ' +
        'when tools fail, to tell the user whether the system is down.',
      input: z.strictObject({}),
      annotations: READ_ONLY,
      isolation: 'statement',
      needsSession: false,
      async run(ctx) {
        await ctx.tx.query('SELECT 1')
        return { data: { database: 'reachable' }, text: 'The system of record is reachable.' }
      },
    }),

    defineTool({
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
    }),

    defineTool({
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
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
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
    }),

    defineTool({
      name: 'user_save_note',
      title: 'Save a note',
      description:
        'Saves a note for the signed-in user ("note that…", "remember that…", "write down…") and ' +
        'returns its id. The note and its audit row are written together.',
      input: z.strictObject({
        session: SESSION_ARGUMENT,
        text: z.string().trim().min(1).max(10_000),
      }),
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
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
    }),

    defineTool({
      name: 'config_get_rules',
      title: 'Get the rules',
      description: 'Returns the rules the assistant must follow, the same as begin_session gives.',
      input: z.strictObject({ session: SESSION_ARGUMENT }),
      annotations: READ_ONLY,
      isolation: 'statement',
      async run() {
        const all = `${CORE_RULES}\n${rules}`
        return { data: { rules: all }, text: all }
      },
    }),

    defineTool({
      name: 'config_get_persona',
      title: 'Get the persona',
      description:
        'Returns who the assistant is and how it speaks, the same as begin_session gives.',
      input: z.strictObject({ session: SESSION_ARGUMENT }),
      annotations: READ_ONLY,
      isolation: 'statement',
      async run() {
        return { data: { persona }, text: persona }
      },
    }),
  ]
}
