import { Hono } from 'hono'
import type { StaffDecision } from '../gateway/staff-decision.ts'
import { listInbox } from '../gateway/staff-inbox.ts'
import { computeMetrics, coreMetrics } from '../gateway/staff-metrics.ts'
import { InternalError } from '../lib/errors.ts'
import { conversationQueries } from '../memory/conversation-queries.ts'
import { inboxClaims } from '../memory/inbox-claims.ts'
import { people } from '../memory/people.ts'
import type { StaffRequest } from '../memory/staff-requests.ts'
import type { StaffPack } from '../pack/staff-contract.ts'
import type { Database } from '../store/database.ts'
import { type ApiEnv, errorResponse, staffOnly } from './api-common.ts'
import { releaseConversation } from './handoff-api.ts'
import { requestView } from './request-view.ts'
import { staffAction } from './staff-action.ts'

export interface StaffApiOptions {
  db: Database
  /** The pack's inbox kinds and metrics. */
  staff?: StaffPack | undefined
  /** Decides a request put to staff (the gateway's `decide`); unset: requests cannot be decided. */
  decide?: ((decision: StaffDecision) => Promise<StaffRequest>) | undefined
}

const ITEM = /^([a-z][a-z0-9_]*):([A-Za-z0-9._:-]{1,200})$/

/**
 * What staff work from: the inbox (requests waiting for a decision, conversations a person
 * holds), claims on its items, and taking a conversation over, replying in it as a person and
 * handing it back. Every change is audited and reaches open pages through the change feed.
 */
export function staffApi(options: StaffApiOptions): Hono<ApiEnv> {
  const { db } = options
  const sources = options.staff?.inbox ?? []
  for (const source of sources) {
    // The core's own kinds: a pack's of the same name would answer for them.
    if (
      source.kind === 'request' ||
      source.kind === 'conversation' ||
      !/^[a-z][a-z0-9_]*$/.test(source.kind)
    ) {
      throw new InternalError(
        'internal',
        `the pack's inbox kind "${source.kind}" is not a name it may use`,
      )
    }
  }
  const metrics = [
    ...coreMetrics(options.staff?.personActions ?? []),
    ...(options.staff?.metrics ?? []),
  ]
  const app = new Hono<ApiEnv>()
  app.use('/staff/*', staffOnly)

  app.get('/staff/inbox', async (c) => c.json({ items: await listInbox(db, sources) }))

  for (const verb of ['claim', 'unclaim'] as const) {
    app.post(`/staff/inbox/:item/${verb}`, async (c) => {
      const item = c.req.param('item')
      if (!ITEM.test(item)) {
        return c.json({ error: 'not_found', message: `No inbox item ${item} was found.` }, 404)
      }
      return staffAction(db, c, `${verb}_item`, { item }, async ({ tx, record }, identity) => {
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
          // What came of it, as the tool answered: an approved refund the policy then blocked
          // says so here, not only in the conversation.
          message:
            request.outcome === null
              ? `Request ${request.status}.`
              : `Request ${request.status}. ${request.outcome.text}`,
        })
      } catch (error) {
        return errorResponse(c, error)
      }
    }
    if (kind === 'conversation' && actionName === 'release') {
      return releaseConversation(db, c, key ?? '')
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
    return staffAction(
      db,
      c,
      `${source.kind}_${action.name}`,
      { item },
      async ({ tx, record }, identity) => {
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
      },
    )
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

  return app
}
