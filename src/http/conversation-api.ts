import { type Context, Hono } from 'hono'
import { z } from 'zod'
import type { Worker } from '../agent/worker.ts'
import { conversationQueries } from '../memory/conversation-queries.ts'
import { conversations } from '../memory/conversations.ts'
import { people } from '../memory/people.ts'
import { staffRequests } from '../memory/staff-requests.ts'
import { loadTimeline } from '../memory/timeline.ts'
import { fillTemplate } from '../protocol/gateway-wire.ts'
import type { Database } from '../store/database.ts'
import { type ApiEnv, apiError } from './api-common.ts'
import { holderView, personView, requestView } from './request-view.ts'

export interface ConversationApiOptions {
  db: Database
  /** For the approvals waiting in a conversation; undefined without a model. */
  worker: Worker | undefined
  /** What the gateway's tools say of a call, by tool name: a stored call's activity line. */
  toolWords?: ReadonlyMap<string, string> | undefined
}

const uuid = z.uuid({ version: 'v4' })

/**
 * Conversations as both roles read them: a customer their own (another's is "not found"), staff
 * anyone's; each in full, with its requests, who holds it and its audit trail.
 */
export function conversationApi(options: ConversationApiOptions): Hono<ApiEnv> {
  const { db } = options
  const app = new Hono<ApiEnv>()

  app.get('/conversations', async (c) => {
    const limit = Math.min(200, Math.max(1, Number(c.req.query('limit') ?? 50) || 50))
    const listed = await conversationQueries.list(db, c.get('identity').sub, limit)
    return c.json({ conversations: listed })
  })

  /** A stored call's activity line: its tool's words filled with its arguments, else a default. */
  function activityOf(entry: { name: string | null; content: string }): string {
    const template = entry.name === null ? undefined : options.toolWords?.get(entry.name)
    if (template === undefined) return 'Working on it…'
    const open = entry.content.indexOf('(')
    let args: Record<string, unknown> = {}
    try {
      args = JSON.parse(entry.content.slice(open + 1, -1)) as Record<string, unknown>
    } catch {
      // Arguments the model did not write as JSON: the line without them.
    }
    return fillTemplate(template, args) ?? 'Working on it…'
  }

  /** The conversation's id when the caller may read it: its owner, or any staff member. */
  async function readable(c: Context<ApiEnv>): Promise<string | undefined> {
    const id = c.req.param('id') ?? ''
    const identity = c.get('identity')
    if (!uuid.safeParse(id).success) return undefined
    const found =
      identity.role === 'staff'
        ? await conversations.exists(db, id)
        : await conversations.owns(db, identity.sub, id)
    return found ? id : undefined
  }

  app.get('/conversations/:id', async (c) => {
    const id = await readable(c)
    if (id === undefined) {
      return apiError(c, 404, 'not_found', `No conversation ${c.req.param('id')} was found.`)
    }
    const { sub } = c.get('identity')
    const approvals =
      options.worker === undefined
        ? []
        : await options.worker.pending({ userId: sub, conversationId: id })
    const entries = await conversationQueries.entries(db, id)
    const authors = await people.names(
      db,
      entries.flatMap((entry) => (entry.author === null ? [] : [entry.author])),
    )
    const requests = await staffRequests.ofConversation(db, id)
    const held = await holderView(db, id)
    const about = await conversationQueries.about(db, id)
    return c.json({
      id,
      title: about?.title ?? null,
      customer: about === undefined ? null : await personView(db, about.userId),
      held: held ?? null,
      entries: entries.map((entry) => ({
        ...entry,
        author:
          entry.author === null
            ? null
            : { sub: entry.author, name: authors.get(entry.author)?.name ?? entry.author },
        ...(entry.kind === 'tool_call' ? { activity: activityOf(entry) } : {}),
      })),
      approvals: approvals.map(({ id, tool, arguments: args, summary, createdAt }) => ({
        id,
        tool,
        arguments: args,
        summary,
        createdAt,
      })),
      requests: await Promise.all(requests.map((request) => requestView(db, request))),
    })
  })

  app.get('/conversations/:id/audit', async (c) => {
    const id = await readable(c)
    if (id === undefined) {
      return apiError(c, 404, 'not_found', `No conversation ${c.req.param('id')} was found.`)
    }
    const timeline = await loadTimeline(db, id)
    return c.json({ id, events: timeline.events })
  })

  return app
}
