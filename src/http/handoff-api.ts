import { type Context, Hono } from 'hono'
import { z } from 'zod'
import { isStorableText } from '../audit/storable.ts'
import { ConflictError } from '../lib/errors.ts'
import { conversations } from '../memory/conversations.ts'
import { handoffs } from '../memory/handoffs.ts'
import { inboxClaims } from '../memory/inbox-claims.ts'
import { people } from '../memory/people.ts'
import type { Database } from '../store/database.ts'
import { type ApiEnv, staffOnly } from './api-common.ts'
import { personView } from './request-view.ts'
import { staffAction } from './staff-action.ts'

const uuid = z.uuid({ version: 'v4' })

/**
 * Handing a conversation between the Worker and a person, for staff: take it over (the Worker
 * stops answering in it, even a turn already running), reply in it as yourself, hand it back.
 * Each step is audited and reaches open pages through the change feed.
 */
export function handoffApi(options: { db: Database }): Hono<ApiEnv> {
  const { db } = options
  const app = new Hono<ApiEnv>()
  app.use('/conversations/:id/takeover', staffOnly)
  app.use('/conversations/:id/messages', staffOnly)
  app.use('/conversations/:id/release', staffOnly)

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
    return staffAction(
      db,
      c,
      'takeover',
      { conversation_id: id },
      async ({ tx, record }, identity) => {
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
      },
    )
  })

  app.post('/conversations/:id/release', async (c) => {
    const id = await conversationFound(c)
    if (id === undefined) return notFound(c)
    return releaseConversation(db, c, id)
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
    return staffAction(
      db,
      c,
      'reply',
      { conversation_id: id },
      async ({ tx, record }, identity) => {
        const hold = await handoffs.holder(tx, id)
        if (hold?.heldBy !== identity.sub) {
          throw new ConflictError(
            'Take the conversation over before replying in it: the Worker answers it now.',
          )
        }
        const name =
          (await people.names(tx, [identity.sub])).get(identity.sub)?.name ?? identity.sub
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
      },
    )
  })

  return app
}

/** Hands the conversation back to the Worker (a no-op when nobody holds it), audited. */
export function releaseConversation(
  db: Database,
  c: Context<ApiEnv>,
  id: string,
): Promise<Response> {
  return staffAction(
    db,
    c,
    'release',
    { conversation_id: id },
    async ({ tx, record }, identity) => {
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
    },
  )
}
