import { type Context, Hono } from 'hono'
import { z } from 'zod'
import { invokeAudited } from '../audit/audit-writer.ts'
import { isStorableText } from '../audit/storable.ts'
import type { Identity } from '../auth/identity.ts'
import type { StaffDecision } from '../gateway/staff-decision.ts'
import { listInbox } from '../gateway/staff-inbox.ts'
import { computeMetrics, coreMetrics } from '../gateway/staff-metrics.ts'
import { ConflictError, FteError } from '../lib/errors.ts'
import type { Json } from '../lib/json.ts'
import { conversationQueries } from '../memory/conversation-queries.ts'
import { conversations } from '../memory/conversations.ts'
import { handoffs } from '../memory/handoffs.ts'
import { inboxClaims } from '../memory/inbox-claims.ts'
import { people } from '../memory/people.ts'
import type { StaffRequest } from '../memory/staff-requests.ts'
import type { StaffPack } from '../pack/staff-contract.ts'
import type { Database } from '../store/database.ts'
import type { ApiEnv } from './chat-api.ts'
import { personView, requestView } from './request-view.ts'

export interface StaffApiOptions {
  db: Database
  /** The pack's inbox kinds and metrics. */
  staff?: StaffPack | undefined
  /** Decides a request put to staff (the gateway's `decide`); unset: requests cannot be decided. */
  decide?: ((decision: StaffDecision) => Promise<StaffRequest>) | undefined
}

const uuid = z.uuid({ version: 'v4' })
const ITEM = /^([a-z][a-z0-9_]*):([A-Za-z0-9._:-]{1,200})$/

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
  const sources = options.staff?.inbox ?? []
  const metrics = [
    ...coreMetrics(options.staff?.personActions ?? []),
    ...(options.staff?.metrics ?? []),
  ]
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
        async (work_) => {
          // Who acted, with the name their token gives: what customers and colleagues see.
          await people.seen(work_.tx, identity)
          return work(work_, identity)
        },
      )
      return c.json(result as Record<string, unknown>)
    } catch (error) {
      return errorResponse(c, error)
    }
  }

  app.get('/staff/inbox', async (c) => c.json({ items: await listInbox(db, sources) }))

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

  app.post('/staff/inbox/:item/actions/:action', async (c) => {
    const item = c.req.param('item')
    const actionName = c.req.param('action')
    const match = ITEM.exec(item)
    const body = (await c.req.json().catch(() => ({}))) as Record<string, unknown>
    const [, kind, key] = match ?? []
    if (kind === 'request' && (actionName === 'approve' || actionName === 'reject')) {
      if (options.decide === undefined) {
        return c.json({ error: 'unavailable', message: 'Requests cannot be decided here.' }, 503)
      }
      try {
        const request = await options.decide({
          requestId: key ?? '',
          decision: actionName === 'approve' ? 'approved' : 'rejected',
          reason: typeof body.reason === 'string' ? body.reason : undefined,
          identity: c.get('identity'),
        })
        return c.json({
          request: await requestView(db, request),
          message: `Request ${request.status}.`,
        })
      } catch (error) {
        return errorResponse(c, error)
      }
    }
    if (kind === 'conversation' && actionName === 'release') {
      return release(c, key ?? '')
    }
    const source = sources.find((s) => s.kind === kind)
    const action = source?.actions.find((a) => a.name === actionName)
    if (source === undefined || action === undefined || key === undefined) {
      return c.json({ error: 'not_found', message: `No action ${actionName} on ${item}.` }, 404)
    }
    const input = action.input.safeParse(body)
    if (!input.success) {
      const message = input.error.issues.map((issue) => issue.message).join('; ')
      return c.json({ error: 'invalid_input', message }, 400)
    }
    return act(c, `${source.kind}_${action.name}`, { item }, async ({ tx, record }, identity) => {
      const done = await action.run(
        {
          tx,
          identity,
          record: (entry) => record({ ...entry, actor: `staff:${identity.sub}` }),
        },
        key,
        input.data,
      )
      if (done.done) await inboxClaims.drop(tx, [item])
      return { item: done.done ? null : item, message: done.message }
    })
  })

  app.get('/staff/metrics', async (c) => {
    const days = Number(c.req.query('days') ?? 30)
    if (!Number.isInteger(days) || days < 1 || days > 365) {
      return c.json(
        { error: 'invalid_input', message: 'days must be a whole number from 1 to 365' },
        400,
      )
    }
    const to = new Date()
    const from = new Date(to.getTime() - days * 86_400_000)
    const figures = await computeMetrics(db, metrics, { from, to })
    return c.json({ days, from, to, figures })
  })

  app.get('/staff/conversations', async (c) => {
    const limit = Math.min(200, Math.max(1, Number(c.req.query('limit') ?? 50) || 50))
    const listed = await conversationQueries.listAll(db, limit)
    const names = await people.names(
      db,
      listed.flatMap((l) => [l.userId, ...(l.heldBy === null ? [] : [l.heldBy])]),
    )
    const person = (sub: string) => names.get(sub) ?? { sub, name: sub, email: null }
    return c.json({
      conversations: listed.map((l) => ({
        id: l.id,
        title: l.title,
        customer: person(l.userId),
        startedAt: l.startedAt,
        lastAt: l.lastMessageAt,
        messages: l.messages,
        held: l.heldBy === null ? null : { sub: l.heldBy, name: person(l.heldBy).name },
      })),
    })
  })

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
      const by = await personView(tx, identity.sub)
      return { held: true, by, since: hold.since.toISOString() }
    })
  })

  function release(c: Context<ApiEnv>, id: string): Promise<Response> {
    return act(c, 'release', { conversation_id: id }, async ({ tx, record }, identity) => {
      const hold = await handoffs.release(tx, id)
      if (hold !== undefined) {
        await record({
          action: 'handoff_ended',
          actor: `staff:${identity.sub}`,
          conversationId: id,
          target: `conversation:${id}`,
          payload: { held_by: hold.heldBy, held_ms: Date.now() - hold.since.getTime() },
        })
        await inboxClaims.drop(tx, [`conversation:${id}`])
      }
      return { held: false }
    })
  }

  app.post('/conversations/:id/release', async (c) => {
    const id = await conversationFound(c)
    if (id === undefined) return notFound(c)
    return release(c, id)
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
