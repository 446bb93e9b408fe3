import { type Context, Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import { z } from 'zod'
import type { Identity } from '../auth/identity.ts'
import type { Logger } from '../lib/logger.ts'
import { conversationQueries } from '../memory/conversation-queries.ts'
import { conversations } from '../memory/conversations.ts'
import { staffRequests } from '../memory/staff-requests.ts'
import type { Change, ChangeFeed } from '../store/change-feed.ts'
import type { Database } from '../store/database.ts'
import { type ApiEnv, staffOnly } from './api-common.ts'
import { holderView, personView, requestView } from './request-view.ts'

export interface LiveEventsOptions {
  db: Database
  feed: ChangeFeed
  logger: Logger
}

const uuid = z.uuid({ version: 'v4' })
/** A comment line now and then keeps proxies from closing a quiet stream. */
const PING_MS = 15_000

/**
 * Live updates as Server-Sent Events, read by pages with fetch (the Authorization header) and
 * resumed with `Last-Event-ID`: everything new in a conversation (its owner and staff), and the
 * staff inbox's changes. Each event's id is the change's number in the feed; `reset` says the
 * resume point is gone and the page should load afresh.
 */
export function liveEvents(options: LiveEventsOptions): Hono<ApiEnv> {
  const { db, feed } = options
  const app = new Hono<ApiEnv>()

  app.get('/conversations/:id/events', async (c) => {
    const id = c.req.param('id')
    const identity = c.get('identity')
    const readable =
      uuid.safeParse(id).success &&
      (identity.role === 'staff'
        ? await conversations.exists(db, id)
        : await conversations.owns(db, identity.sub, id))
    if (!readable) {
      return c.json({ error: 'not_found', message: `No conversation ${id} was found.` }, 404)
    }
    return follow(c, `conversation:${id}`, (change) => conversationEvent(db, identity, id, change))
  })

  app.get('/staff/inbox/events', staffOnly, (c) =>
    follow(c, 'inbox', async (change) => [{ seq: change.seq, kind: 'inbox', change: change.kind }]),
  )

  /** The stream of one scope, each change rendered (null: not for this reader). */
  function follow(
    c: Context<ApiEnv>,
    scope: string,
    render: (change: Change) => Promise<Record<string, unknown>[]>,
  ): Response {
    const lastId = c.req.header('last-event-id')
    const after = lastId !== undefined && /^\d{1,18}$/.test(lastId) ? Number(lastId) : undefined
    return streamSSE(c, async (stream) => {
      const queue: Array<Change | 'reset'> = []
      let wake: (() => void) | undefined
      let ended = false
      const push = (entry: Change | 'reset') => {
        queue.push(entry)
        wake?.()
      }
      const stop = await feed.subscribe(scope, after, {
        change: push,
        reset: () => push('reset'),
        end: () => {
          ended = true
          wake?.()
        },
      })
      const ping = setInterval(() => {
        void stream.write(': ping\n\n')
      }, PING_MS)
      stream.onAbort(() => wake?.())
      try {
        // The first event says the stream is live: a page may load what it shows now.
        await stream.writeSSE({ event: 'ready', data: JSON.stringify({ scope }) })
        while (!stream.aborted && !ended) {
          const next = queue.shift()
          if (next === undefined) {
            await new Promise<void>((resolve) => {
              wake = resolve
            })
            wake = undefined
            continue
          }
          if (next === 'reset') {
            await stream.writeSSE({ event: 'reset', data: JSON.stringify({ kind: 'reset' }) })
            continue
          }
          let events: Record<string, unknown>[]
          try {
            events = await render(next)
          } catch (error) {
            options.logger.warn({ err: String(error), scope }, 'a live event could not be read')
            events = []
          }
          // The change's number goes on its last event only: a page cut off half-way through
          // one change resumes before it and gets it whole again (it knows what it has by id).
          for (const [index, data] of events.entries()) {
            await stream.writeSSE({
              event: 'change',
              ...(index === events.length - 1 ? { id: String(next.seq) } : {}),
              data: JSON.stringify(data),
            })
          }
        }
      } finally {
        clearInterval(ping)
        stop()
      }
    })
  }

  return app
}

/** A conversation's change as its reader sees it, an event per message; customers get no tool rows. */
async function conversationEvent(
  db: Database,
  identity: Identity,
  conversationId: string,
  change: Change,
): Promise<Record<string, unknown>[]> {
  const base = { seq: change.seq, conversationId }
  if (change.kind === 'message') {
    const listed = Array.isArray(change.data.messages) ? change.data.messages : []
    const events: Record<string, unknown>[] = []
    for (const written of listed as Array<{ id?: unknown }>) {
      const entry = await conversationQueries.entry(db, conversationId, String(written.id))
      if (entry === undefined) continue
      if (identity.role !== 'staff' && (entry.kind !== 'message' || entry.role === 'system')) {
        continue
      }
      const author = entry.author === null ? null : await personView(db, entry.author)
      events.push({
        ...base,
        kind: 'message',
        message: {
          id: entry.id,
          role: entry.role,
          entryKind: entry.kind,
          name: entry.name,
          author,
          text: entry.content,
          at: entry.createdAt,
        },
      })
    }
    return events
  }
  if (change.kind === 'hold') {
    const holder = await holderView(db, conversationId)
    return [{ ...base, kind: 'hold', held: holder !== undefined, by: holder ?? null }]
  }
  if (change.kind === 'request') {
    const request = await staffRequests.find(db, String(change.data.id))
    if (request === undefined) return []
    return [{ ...base, kind: 'request', request: await requestView(db, request) }]
  }
  return [{ ...base, kind: change.kind }]
}
