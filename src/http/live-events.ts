import { type Context, Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import { z } from 'zod'
import type { Identity } from '../auth/identity.ts'
import type { Logger } from '../lib/logger.ts'
import { conversationQueries } from '../memory/conversation-queries.ts'
import { conversations } from '../memory/conversations.ts'
import { people } from '../memory/people.ts'
import { staffRequests } from '../memory/staff-requests.ts'
import type { Change, ChangeFeed } from '../store/change-feed.ts'
import type { Database } from '../store/database.ts'
import type { ApiEnv } from './chat-api.ts'
import { holderView, requestView } from './request-view.ts'
import { staffOnly } from './staff-api.ts'

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
    follow(c, 'inbox', async (change) => ({ seq: change.seq, kind: 'inbox', change: change.kind })),
  )

  /** The stream of one scope, each change rendered (null: not for this reader). */
  function follow(
    c: Context<ApiEnv>,
    scope: string,
    render: (change: Change) => Promise<Record<string, unknown> | null>,
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
          let data: Record<string, unknown> | null
          try {
            data = await render(next)
          } catch (error) {
            options.logger.warn({ err: String(error), scope }, 'a live event could not be read')
            data = null
          }
          if (data !== null) {
            await stream.writeSSE({
              event: 'change',
              id: String(next.seq),
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

/** A conversation's change as its reader sees it: customers get no tool rows. */
async function conversationEvent(
  db: Database,
  identity: Identity,
  conversationId: string,
  change: Change,
): Promise<Record<string, unknown> | null> {
  const base = { seq: change.seq, conversationId }
  if (change.kind === 'message') {
    const entry = await conversationQueries.entry(db, conversationId, String(change.data.id))
    if (entry === undefined) return null
    if (identity.role !== 'staff' && (entry.kind !== 'message' || entry.role === 'system')) {
      return null
    }
    const author =
      entry.author === null
        ? null
        : ((await people.names(db, [entry.author])).get(entry.author) ?? null)
    return {
      ...base,
      kind: 'message',
      message: {
        id: entry.id,
        role: entry.role,
        entryKind: entry.kind,
        name: entry.name,
        author: author === null ? null : { sub: author.sub, name: author.name },
        text: entry.content,
        at: entry.createdAt,
      },
    }
  }
  if (change.kind === 'hold') {
    const holder = await holderView(db, conversationId)
    return { ...base, kind: 'hold', held: holder !== undefined, by: holder ?? null }
  }
  if (change.kind === 'request') {
    const request = await staffRequests.find(db, String(change.data.id))
    if (request === undefined) return null
    return { ...base, kind: 'request', request: await requestView(db, request) }
  }
  return { ...base, kind: change.kind }
}
