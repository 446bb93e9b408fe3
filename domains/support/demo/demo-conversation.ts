import { recordInvocation, writeAudit } from '../../../src/audit/audit-writer.ts'
import { transcriptDigest } from '../../../src/memory/conversation-summaries.ts'
import { conversations } from '../../../src/memory/conversations.ts'
import type { Queryable } from '../../../src/store/database.ts'

/** A fixed id, so the README can say `npm run fte -- replay <id>`. */
export const DEMO_CONVERSATION_ID = '7a2e4c1b-5d3f-4e8a-9b6c-1f0e2d3c4b5a'

/** Marks every row of the illustration as demo data, not something the Worker did. */
const ACTOR = 'worker:support (demo data)'

/**
 * One illustrative conversation with its full trail — messages, audit rows, invocations — so a
 * newcomer can see `fte replay` before the Worker exists. Written with the same repository and
 * audit writer the Worker uses. Returns 0 when it is already there.
 */
export async function loadDemoConversation(tx: Queryable): Promise<number> {
  const created = await conversations.createWithId(tx, DEMO_CONVERSATION_ID, 'demo|daniel-reyes', {
    demo: true,
    channel: 'chat',
  })
  if (!created) return 0
  const conversationId = DEMO_CONVERSATION_ID

  await conversations.appendMessage(tx, {
    conversationId,
    role: 'user',
    content:
      'Hi, order #4340 was supposed to arrive Thursday and USPS still says "in transit, arriving ' +
      'late". I need it for my son\'s birthday on Saturday. Can you help?',
  })
  await writeAudit(tx, { action: 'message_received', actor: ACTOR, conversationId })
  await recordInvocation(tx, {
    capability: 'mcp:domain_lookup_order',
    actor: ACTOR,
    conversationId,
    arguments: { order: '4340' },
    status: 'ok',
    result: { order_id: '4340', status: 'shipped', amount_cents: 5200, placed_days_ago: 9 },
    latencyMs: 38,
  })
  await recordInvocation(tx, {
    capability: 'mcp:domain_find_similar_cases',
    actor: ACTOR,
    conversationId,
    arguments: { description: 'USPS parcel in transit, arriving late', limit: 3 },
    status: 'ok',
    // Other customers' cases reach a customer as precedents without their ticket ids.
    result: { cases: 3 },
    latencyMs: 54,
  })
  await conversations.appendMessage(tx, {
    conversationId,
    role: 'assistant',
    content:
      'Order #4340 shipped 9 days ago with USPS and is running late. In a similar past case a ' +
      'USPS trace found a missorted parcel and it arrived three days later, so I have asked for a ' +
      'trace on yours; your ticket T-1090 is being worked on and you will hear back within a day.',
    inputTokens: 1840,
    outputTokens: 96,
  })
  await writeAudit(tx, {
    action: 'message_sent',
    actor: ACTOR,
    conversationId,
    payload: { input_tokens: 1840, output_tokens: 96, model: 'demo' },
  })
  // Ended and summarised, so conversation memory ("have we discussed this before?") has one
  // conversation to find; the start-up embeds the summary.
  const summary = await transcriptDigest.summarise(await conversations.messages(tx, conversationId))
  await conversations.end(tx, conversationId, summary)
  return 1
}
