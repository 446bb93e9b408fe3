import { type Context, Hono } from 'hono'
import { z } from 'zod'
import { invokeAudited } from '../audit/audit-writer.ts'
import { isStorableText } from '../audit/storable.ts'
import type { Identity } from '../auth/identity.ts'
import { ConflictError, FteError } from '../lib/errors.ts'
import type { Json } from '../lib/json.ts'
import { conversations } from '../memory/conversations.ts'
import { handoffs } from '../memory/handoffs.ts'
import { inboxClaims } from '../memory/inbox-claims.ts'
import { type PersonName, people } from '../memory/people.ts'
import { staffRequests } from '../memory/staff-requests.ts'
import type { Database } from '../store/database.ts'
import type { ApiEnv } from './chat-api.ts'

export interface StaffApiOptions {
  db: Database
}

const uuid = z.uuid({ version: 'v4' })
const ITEM = /^(request|conversation):([0-9a-f-]{36})$/

/** A refusal as JSON with its code; a caller's error by its code, anything else rethrown. */
export function errorResponse(c: Context, error: unknown): Response {
  if (error instanceof FteError && error.fault === 'caller') {
    const status =
      error.code === 'not_found'
        ? 404
        : error.code === 'forbidden'
          ? 403
          : error.code === 'conflict'
            ? 409
            : 400
    return c.json({ error: error.code, message: error.message }, status)
  }
  throw error
}

/** Staff only: anyone else gets 403, whatever the route. */
export async function staffOnly(c: Context<ApiEnv>, next: () => Promise<void>) {
  if (c.get('identity').role !== 'staff') {
    return c.json({ error: 'forbidden', message: 'This is for support staff only.' }, 403)
  }
  return next()
}

/**
 * What staff work from: the inbox (requests waiting for a decision, conversations a person
 * holds), claims on its items, and taking a conversation over, replying in it as a person and
 * handing it back. Every change is audited and reaches open pages through the change feed.
 */
export function staffApi(options: StaffApiOptions): Hono<ApiEnv> {
  const { db } = options
  const app = new Hono<ApiEnv>()
  app.use('/staff/*', staffOnly)
  app.use('/conversations/:id/takeover', staffOnly)
  app.use('/conversations/:id/messages', staffOnly)
  app.use('/conversations/:id/release', staffOnly)

  /** Runs a staff action audited, as `staff:<sub>`; a caller's error becomes its JSON refusal. */
  async function act<T extends Json>(
    c: Context<ApiEnv>,
    capability: string,
    args: Record<string, Json>,
    work: (
      tx: Parameters<Parameters<typeof invokeAudited>[2]>[0],
      identity: Identity,
    ) => Promise<T>,
  ): Promise<Response> {
    const identity = c.get('identity')
    try {
      const result = await invokeAudited(
        db,
        {
          capability: `staff:${capability}`,
          actor: `staff:${identity.sub}`,
          arguments: args,
          conversationId: typeof args.conversation_id === 'string' ? args.conversation_id : null,
        },
        (work_) => work(work_, identity),
      )
      return c.json(result as Record<string, unknown>)
    } catch (error) {
      return errorResponse(c, error)
    }
  }

  app.get('/staff/inbox', async (c) => {
    const [pending, held, claims] = await Promise.all([
      staffRequests.pending(db),
      handoffs.held(db),
      inboxClaims.all(db),
    ])
    const names = await people.names(db, [
      ...pending.map((r) => r.requestedBy),
      ...held.flatMap((h) => [h.userId, h.heldBy]),
      ...[...claims.values()].map((claim) => claim.claimedBy),
    ])
    const person = (sub: string): PersonName => names.get(sub) ?? { sub, name: sub, email: null }
    const claimOf = (id: string) => {
      const claim = claims.get(id)
      return claim === undefined
        ? { claimedBy: null, claimedAt: null }
        : { claimedBy: person(claim.claimedBy), claimedAt: claim.claimedAt }
    }
    const items = [
      ...pending.map((request) => ({
        id: `request:${request.id}`,
        kind: 'request',
        kindLabel: 'Waiting for a decision',
        title: request.summary.title,
        lines: request.summary.lines,
        modelText: request.summary.model_text,
        customer: person(request.requestedBy),
        conversationId: request.conversationId,
        createdAt: request.createdAt,
        ...claimOf(`request:${request.id}`),
        actions: [
          { name: 'approve', label: 'Approve', fields: [reasonField(false)] },
          { name: 'reject', label: 'Reject', fields: [reasonField(true)] },
        ],
      })),
      ...held.map((hold) => ({
        id: `conversation:${hold.conversationId}`,
        kind: 'conversation',
        kindLabel: 'Held by a person',
        title: `Conversation with ${person(hold.userId).name}`,
        lines: [{ label: 'Held by', value: person(hold.heldBy).name }],
        modelText: [],
        customer: person(hold.userId),
        conversationId: hold.conversationId,
        createdAt: hold.since,
        ...claimOf(`conversation:${hold.conversationId}`),
        actions: [{ name: 'release', label: 'Hand back to the Worker', fields: [] }],
      })),
    ]
    return c.json({ items })
  })

  for (const verb of ['claim', 'unclaim'] as const) {
    app.post(`/staff/inbox/:item/${verb}`, async (c) => {
      const item = c.req.param('item')
      if (!ITEM.test(item)) {
        return c.json({ error: 'not_found', message: `No inbox item ${item} was found.` }, 404)
      }
      return act(c, `${verb}_item`, { item }, async ({ tx, record }, identity) => {
        const claim =
          verb === 'claim'
            ? await inboxClaims.claim(tx, item, identity.sub)
            : await inboxClaims.unclaim(tx, item)
        await record({
          action: verb === 'claim' ? 'inbox_claimed' : 'inbox_unclaimed',
          actor: `staff:${identity.sub}`,
          target: item,
          payload: { item, ...(claim === undefined ? {} : { claimed_by: claim.claimedBy }) },
        })
        return {
          item,
          claimedBy: verb === 'claim' && claim !== undefined ? claim.claimedBy : null,
        }
      })
    })
  }

  const conversationFound = async (c: Context<ApiEnv>) => {
    const id = c.req.param('id') ?? ''
    if (uuid.safeParse(id).success && (await conversations.exists(db, id))) return id
    return undefined
  }
  const notFound = (c: Context) =>
    c.json({ error: 'not_found', message: `No conversation ${c.req.param('id')} was found.` }, 404)

  app.post('/conversations/:id/takeover', async (c) => {
    const id = await conversationFound(c)
    if (id === undefined) return notFound(c)
    return act(c, 'takeover', { conversation_id: id }, async ({ tx, record }, identity) => {
      const hold = await handoffs.takeOver(tx, id, identity.sub)
      await record({
        action: 'handoff_started',
        actor: `staff:${identity.sub}`,
        conversationId: id,
        target: `conversation:${id}`,
        payload: { held_by: identity.sub },
      })
      return { held: true, by: identity.sub, since: hold.since.toISOString() }
    })
  })

  app.post('/conversations/:id/release', async (c) => {
    const id = await conversationFound(c)
    if (id === undefined) return notFound(c)
    return act(c, 'release', { conversation_id: id }, async ({ tx, record }, identity) => {
      const hold = await handoffs.release(tx, id)
      if (hold !== undefined) {
        await record({
          action: 'handoff_ended',
          actor: `staff:${identity.sub}`,
          conversationId: id,
          target: `conversation:${id}`,
          payload: {
            held_by: hold.heldBy,
            held_ms: Date.now() - hold.since.getTime(),
          },
        })
        await inboxClaims.drop(tx, [`conversation:${id}`])
      }
      return { held: false }
    })
  })

  const replyBody = z.strictObject({
    text: z
      .string({ error: 'text must be text' })
      .trim()
      .min(1, { error: 'text must not be empty' })
      .max(5000, { error: 'text must be at most 5000 characters' })
      .refine(isStorableText, { error: 'text must not contain a NUL character' }),
  })

  app.post('/conversations/:id/messages', async (c) => {
    const id = await conversationFound(c)
    if (id === undefined) return notFound(c)
    const parsed = replyBody.safeParse(await c.req.json().catch(() => undefined))
    if (!parsed.success) {
      const message = parsed.error.issues.map((issue) => issue.message).join('; ')
      return c.json({ error: 'invalid_input', message }, 400)
    }
    return act(c, 'reply', { conversation_id: id }, async ({ tx, record }, identity) => {
      const hold = await handoffs.holder(tx, id)
      if (hold?.heldBy !== identity.sub) {
        throw new ConflictError(
          'Take the conversation over before replying in it: the Worker answers it now.',
        )
      }
      const name = (await people.names(tx, [identity.sub])).get(identity.sub)?.name ?? identity.sub
      const message = await handoffs.personMessage(tx, {
        conversationId: id,
        author: identity.sub,
        authorName: name,
        text: parsed.data.text,
      })
      await record({
        action: 'person_message',
        actor: `staff:${identity.sub}`,
        conversationId: id,
        target: `message:${message.id}`,
        payload: { chars: [...parsed.data.text].length },
      })
      return {
        message: {
          id: message.id,
          role: 'assistant',
          author: { sub: identity.sub, name },
          text: parsed.data.text,
          at: message.createdAt.toISOString(),
        },
      }
    })
  })

  return app
}

function reasonField(required: boolean) {
  return { name: 'reason', label: 'Reason', type: 'text', required }
}
