import { z } from 'zod'
import type { Identity } from '../../auth/identity.ts'
import { NotFoundError } from '../../lib/errors.ts'
import { isUuidAnyCase } from '../../lib/uuid.ts'
import { conversations } from '../../memory/conversations.ts'
import { people } from '../../memory/people.ts'
import { staffRequests } from '../../memory/staff-requests.ts'
import { defineTool, type ToolDefinition, writes } from '../../pack/tool-definition.ts'
import { META } from '../../protocol/gateway-wire.ts'
import type { Queryable } from '../../store/database.ts'
import type { SessionHandles } from '../session-handle.ts'
import { allRules } from './core-rules.ts'

export interface BeginSessionOptions {
  /** This gateway's handles; a promise while its database opens. */
  sessions: () => Promise<SessionHandles>
  sessionTtlSeconds: number
  persona: string
  /** The pack's rules, after the core's. */
  rules: string
  /** The pack's link from a signed-in person to its own records. */
  linkIdentity?: ((tx: Queryable, identity: Identity) => Promise<void>) | undefined
}

/**
 * `begin_session`: records who is here, opens (or resumes, when `_meta` names one of theirs) the
 * conversation, and hands back a session handle with the rules, the persona and the saved state.
 */
export function beginSessionTool(options: BeginSessionOptions): ToolDefinition {
  return defineTool({
    name: 'begin_session',
    title: 'Begin a session (call this first)',
    description:
      'CALL THIS FIRST on any new request, before any other tool. Returns the rules you must ' +
      "follow (including what to do when a tool fails), the persona, the user's saved state, and " +
      `a session handle that every other tool needs. The handle lasts ${Math.round(options.sessionTtlSeconds / 60)} minutes; ` +
      'when a tool says the session is missing or expired, call begin_session again.',
    input: z.strictObject({}),
    annotations: writes({ destructive: false, idempotent: false }),
    needsSession: false,
    // Starting a session records who is here, but asks nothing more of a token than to read.
    scope: 'read',
    sensitive: ['state'],
    async run(ctx) {
      const { tx, identity } = ctx
      await people.seen(tx, identity)
      await options.linkIdentity?.(tx, identity)
      const asked = ctx.meta[META.conversation]
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
      // Decisions staff made on this person's requests since they were last told.
      const decisions = (await staffRequests.takeUnreported(tx, identity.sub)).map((request) => ({
        request_id: request.id,
        decision: request.status,
        request: request.summary.title,
        decided_at: request.decidedAt?.toISOString() ?? null,
        ...(request.reason === null ? {} : { reason: request.reason }),
        ...(request.outcome === null ? {} : { outcome: request.outcome.text }),
      }))
      const { handle, claims } = await (await options.sessions()).issue({
        sub: identity.sub,
        conversationId,
        ttlSeconds: options.sessionTtlSeconds,
      })
      await ctx.record({
        action: 'session_started',
        conversationId,
        target: `session:${claims.sessionId.slice(0, 8)}`,
        payload: { role: identity.role, expires_at: claims.expiresAt.toISOString() },
      })
      const rules = allRules(options.rules)
      return {
        data: {
          session_handle: handle,
          expires_at: claims.expiresAt.toISOString(),
          conversation_id: conversationId,
          user: { id: identity.sub, role: identity.role },
          rules,
          persona: options.persona,
          state,
          ...(decisions.length === 0 ? {} : { decisions }),
        },
        text:
          `Session started (expires ${claims.expiresAt.toISOString()}). Pass this session handle to every other tool:\n${handle}\n\n` +
          `Persona: ${options.persona}\n\nRules:\n${rules}\n\nSaved state: ${JSON.stringify(state)}` +
          decisionsText(decisions),
      }
    },
  })
}

/** Staff decisions on the caller's requests, for the model to pass on. */
function decisionsText(
  decisions: ReadonlyArray<{
    request_id: string
    decision: string
    request: string
    reason?: string
    outcome?: string
  }>,
): string {
  if (decisions.length === 0) return ''
  const lines = decisions.map(
    (d) =>
      `- Request ${d.request_id} (${d.request}) was ${d.decision} by a support lead` +
      `${d.reason === undefined ? '' : `: ${d.reason}`}${d.outcome === undefined ? '' : `. Outcome: ${d.outcome}`}`,
  )
  return `\n\nDecisions on the user's earlier requests (tell the user):\n${lines.join('\n')}`
}
