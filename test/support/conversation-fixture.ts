import '../fixture-pack/audit-actions.ts'
import { invokeAudited, writeAudit } from '../../src/audit/audit-writer.ts'
import { conversations } from '../../src/memory/conversations.ts'
import type { Database } from '../../src/store/database.ts'
import { ADA } from '../fixture-pack/people.ts'

export const CONVERSATION = '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f'

/** Empty conversations of Ada's, for work that is recorded against a conversation. */
export async function startConversations(db: Database, ...ids: string[]): Promise<void> {
  for (const id of ids) await conversations.createWithId(db, id, ADA.sub)
}

/**
 * A constructed conversation on the fixture pack: a request to cancel a booking, the call that
 * cancels it, and the reply, written in that order through the repositories and the real audit
 * writer.
 */
export async function buildConversation(db: Database): Promise<void> {
  await conversations.createWithId(db, CONVERSATION, ADA.sub)
  await db.transaction(async (tx) => {
    await conversations.appendMessage(tx, {
      conversationId: CONVERSATION,
      role: 'user',
      content: 'Please cancel my booking #2 of the Birch room, the meeting moved online.',
    })
    await writeAudit(tx, {
      action: 'message_received',
      actor: 'worker:fixture',
      conversationId: CONVERSATION,
    })
  })
  await invokeAudited(
    db,
    {
      capability: 'mcp:domain_cancel_booking',
      actor: 'worker:fixture',
      arguments: { booking: '2' },
      conversationId: CONVERSATION,
    },
    async ({ record }) => {
      await record({
        action: 'booking_cancelled',
        actor: 'worker:fixture',
        target: 'booking:2',
        payload: { room: 'Birch' },
      })
      return { status: 'cancelled', room: 'Birch' }
    },
    { now: sequence(0, 42) },
  )
  await conversations.appendMessage(db, {
    conversationId: CONVERSATION,
    role: 'assistant',
    content: 'Your booking #2 of the Birch room is cancelled; the room is free for others.',
    inputTokens: 812,
    outputTokens: 64,
  })
}

function sequence(...values: number[]): () => number {
  let i = 0
  return () => values[Math.min(i++, values.length - 1)] ?? 0
}
