import { invokeAudited, writeAudit } from '../../src/audit/audit-writer.ts'
import type { Database } from '../../src/store/database.ts'

export const CONVERSATION = '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f'

/**
 * A constructed conversation: the refund question, an order lookup that escalates, and the reply,
 * written in that order through the real audit writer.
 */
export async function buildConversation(db: Database): Promise<void> {
  await db.exec(`
    INSERT INTO conversations (id, user_id) VALUES ('${CONVERSATION}', 'demo|maya-okafor');
    INSERT INTO messages (conversation_id, role, content) VALUES
      ('${CONVERSATION}', 'user', 'I haven''t received my refund from order #4429, it''s been two weeks.');
  `)
  await writeAudit(db, {
    action: 'message_received',
    actor: 'worker:support',
    conversationId: CONVERSATION,
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
  await db.exec(`
    INSERT INTO messages (conversation_id, role, content, input_tokens, output_tokens) VALUES
      ('${CONVERSATION}', 'assistant', 'Your refund was issued on 8 November. I have escalated it.',
       812, 64);
  `)
}

function sequence(...values: number[]): () => number {
  let i = 0
  return () => values[Math.min(i++, values.length - 1)] ?? 0
}
