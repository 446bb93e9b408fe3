import { invokeAudited, writeAudit } from '../../src/audit/audit-writer.ts'
import { conversations } from '../../src/memory/conversations.ts'
import type { Database } from '../../src/store/database.ts'

export const CONVERSATION = '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f'

/** Empty conversations of Maya's, for work that is recorded against a conversation. */
export async function startConversations(db: Database, ...ids: string[]): Promise<void> {
  for (const id of ids) {
    await db.query(`INSERT INTO conversations (id, user_id) VALUES ($1, 'demo|maya-okafor')`, [id])
  }
}

/**
 * A constructed conversation: the refund question, an order lookup that escalates, and the reply,
 * written in that order through the repositories and the real audit writer.
 */
export async function buildConversation(db: Database): Promise<void> {
  await db.query(`INSERT INTO conversations (id, user_id) VALUES ($1, 'demo|maya-okafor')`, [
    CONVERSATION,
  ])
  await db.transaction(async (tx) => {
    await conversations.appendMessage(tx, {
      conversationId: CONVERSATION,
      role: 'user',
      content: "I haven't received my refund from order #4429, it's been two weeks.",
    })
    await writeAudit(tx, {
      action: 'message_received',
      actor: 'worker:support',
      conversationId: CONVERSATION,
    })
  })
  await invokeAudited(
    db,
    {
      capability: 'mcp:lookup_order',
      actor: 'worker:support',
      arguments: { order_id: '4429' },
      conversationId: CONVERSATION,
    },
    async ({ record }) => {
      await record({
        action: 'ticket_escalated',
        actor: 'worker:support',
        target: 'ticket:T-1099',
        payload: { reason: 'pro tier, refund overdue' },
      })
      return { status: 'refunded', refund: 'issued 14 days ago' }
    },
    { now: sequence(0, 42) },
  )
  await conversations.appendMessage(db, {
    conversationId: CONVERSATION,
    role: 'assistant',
    content: 'Your refund was issued on 8 November. I have escalated it.',
    inputTokens: 812,
    outputTokens: 64,
  })
}

function sequence(...values: number[]): () => number {
  let i = 0
  return () => values[Math.min(i++, values.length - 1)] ?? 0
}
