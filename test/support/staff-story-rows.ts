import type { Database } from '../../src/store/database.ts'
import { PACKET, SAY } from './staff-story-script.ts'

const MAYA = 'demo|maya-okafor'
const SAM = 'demo|staff-sam'

/** Audit actions the story writes, each counted. */
const STORY_ACTIONS = [
  'staff_request_routed',
  'staff_request_decided',
  'refund_issued',
  'ticket_escalated',
  'handoff_started',
  'person_message',
  'guardrail_tripped',
  'handoff_ended',
  'ticket_resolved',
] as const

/**
 * What the staff console's story (src/http/web/staff-console.browser.test.ts) must leave in its
 * database, each step once: order #4356's one refund, requested by Maya; the one request put to
 * staff, decided by Sam for her; each audit action once; ticket T-1099's escalation with its
 * packet, closed when resolved; Sam's two messages in her conversation, handed back; and no card
 * number's digits stored in it.
 */
export function expectedStory(conversationId: string) {
  return {
    refunds: [{ amount_cents: 45_000, requested_by: MAYA, status: 'issued' }],
    requests: [
      {
        status: 'approved',
        requested_by: MAYA,
        decided_by: SAM,
        reason: SAY.approval,
        conversation_id: conversationId,
      },
    ],
    actions: Object.fromEntries(STORY_ACTIONS.map((action) => [action, 1])),
    decisions: [{ decided_by: SAM, for: MAYA, decision: 'approved' }],
    escalations: [
      {
        ...PACKET,
        team: 'billing',
        requested_by: MAYA,
        conversation_id: conversationId,
        closed: true,
        ticket_status: 'resolved',
      },
    ],
    fromSam: [
      { author: SAM, decision: true },
      { author: SAM, decision: false },
    ],
    samReply: SAY.samReply,
    heldBy: null,
    cardDigits: 0,
  }
}

/** The same, read from a database as an operator would, to compare with `expectedStory`. */
export async function storedStory(db: Database, conversationId: string) {
  const rows = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows
  const counted = (await rows(
    `SELECT action, count(*)::int AS n FROM audit_log WHERE action = ANY($1::text[])
     GROUP BY action`,
    [STORY_ACTIONS],
  )) as Array<{ action: string; n: number }>
  const fromSam = (await rows(
    `SELECT author, content FROM messages
     WHERE conversation_id = $1 AND author IS NOT NULL ORDER BY created_at`,
    [conversationId],
  )) as Array<{ author: string; content: string }>
  const [held] = await rows('SELECT held_by FROM conversations WHERE id = $1', [conversationId])
  const [digits] = await rows(
    `SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1 AND content LIKE '%4242%'`,
    [conversationId],
  )
  return {
    refunds: await rows(
      `SELECT r.amount_cents, r.requested_by, r.status FROM refunds r
       JOIN orders o ON o.id = r.order_id WHERE o.public_id = '4356' ORDER BY r.issued_at`,
    ),
    requests: await rows(
      `SELECT status, requested_by, decided_by, reason, conversation_id FROM staff_requests
       ORDER BY created_at`,
    ),
    actions: Object.fromEntries(
      STORY_ACTIONS.map((action) => [action, counted.find((c) => c.action === action)?.n ?? 0]),
    ),
    decisions: await rows(
      `SELECT payload->>'decided_by' AS decided_by, payload->>'for' AS for,
              payload->>'decision' AS decision
       FROM audit_log WHERE action = 'staff_request_decided'`,
    ),
    escalations: await rows(
      `SELECT e.reason, e.issue, e.tried, e.sentiment, e.team, e.requested_by, e.conversation_id,
              e.closed_at IS NOT NULL AS closed, t.status AS ticket_status
       FROM escalations e JOIN tickets t ON t.id = e.ticket_id WHERE t.public_id = 'T-1099'`,
    ),
    // The decision, as Sam's message tells it, then his reply.
    fromSam: fromSam.map((m) => ({
      author: m.author,
      decision: m.content.startsWith('I approved your request (Refund $450.00 on order #4356)'),
    })),
    samReply: fromSam[1]?.content,
    heldBy: held?.held_by,
    cardDigits: digits?.n,
  }
}
