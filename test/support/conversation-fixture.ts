import '../fixture-pack/audit-actions.ts'
import type { AgentInputItem } from '@openai/agents'
import {
  invokeAudited,
  recordInvocation,
  writeAudit,
  writeAuditThenPosition,
} from '../../src/audit/audit-writer.ts'
import { PostgresSession } from '../../src/memory/agent-session.ts'
import { conversations } from '../../src/memory/conversations.ts'
import { handoffs } from '../../src/memory/handoffs.ts'
import type { Database } from '../../src/store/database.ts'
import { ADA, ROSA } from '../fixture-pack/people.ts'

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

export const TURN = '0b7d3e2a-9c41-4f6e-8a5b-2d1c0e9f8a7b'

/** The W3C trace id of that turn: its call and its reply carry it. */
export const TURN_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'

/**
 * A Worker's turn on the fixture pack recorded as the Worker records it, then a person of staff
 * stepping in: the turn's messages are written as it ends, after the rows of what happened in it
 * (as `PostgresSession.commit` writes them).
 */
export async function buildWorkerTurn(db: Database): Promise<void> {
  const id = TURN
  const worker = `worker:${ADA.sub}`
  await conversations.createWithId(db, id, ADA.sub)
  await writeAudit(db, {
    action: 'session_started',
    actor: `gateway:${ADA.sub}`,
    conversationId: id,
    payload: { role: 'customer' },
  })
  const position = await writeAuditThenPosition(db, {
    action: 'message_received',
    actor: worker,
    conversationId: id,
    payload: { chars: 34, redacted: [] },
  })
  await writeAudit(db, {
    action: 'skill_activated',
    actor: 'worker:cli',
    conversationId: id,
    target: 'skill:room-rules',
    payload: { skill: 'room-rules', source: 'pack', body_tokens: 540, body_bytes: 2143 },
  })
  // The call's traceparent, as the Worker sends it and both sides record it.
  const trace = { traceId: TURN_TRACE, parentId: '00f067aa0ba902b7' }
  await invokeAudited(
    db,
    {
      capability: 'mcp:domain_cancel_booking',
      actor: `gateway:${ADA.sub}`,
      arguments: { booking: '2' },
      conversationId: id,
      trace,
    },
    async ({ record }) => {
      await record({
        action: 'booking_cancelled',
        actor: `gateway:${ADA.sub}`,
        target: 'booking:2',
        payload: { room: 'Birch' },
      })
      return { status: 'cancelled', room: 'Birch' }
    },
  )
  await recordInvocation(db, {
    capability: 'mcp:domain_cancel_booking',
    actor: worker,
    conversationId: id,
    arguments: { call_id: 'call_2' },
    trace,
    result: { seen_by: 'worker' },
    status: 'ok',
    latencyMs: 30,
  })

  const session = new PostgresSession({ db, conversationId: id })
  session.placeUserMessage(position)
  const skill =
    '<skill name="room-rules">\n# Room rules\n\nCancel only what the person asks.\n</skill>'
  const answer = 'Booking #2 of the Birch room is cancelled.\n\nRules: answer from tool results.'
  await session.addItems([
    { type: 'message', role: 'user', content: 'Please cancel my booking #2 today.' },
    {
      type: 'function_call',
      callId: 'call_1',
      name: 'activate_skill',
      arguments: '{"name":"room-rules"}',
    },
    {
      type: 'function_call_result',
      callId: 'call_1',
      name: 'activate_skill',
      status: 'completed',
      output: { type: 'text', text: skill },
    },
    {
      type: 'function_call',
      callId: 'call_2',
      name: 'domain_cancel_booking',
      arguments: '{"booking":"2"}',
    },
    {
      type: 'function_call_result',
      callId: 'call_2',
      name: 'domain_cancel_booking',
      status: 'completed',
      output: { type: 'text', text: answer },
    },
    {
      type: 'message',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: 'Your booking #2 is cancelled.' }],
    },
  ] as AgentInputItem[])
  await session.commit({
    audit: [
      {
        action: 'message_sent',
        actor: worker,
        conversationId: id,
        payload: { model: 'gpt-4o-mini', input_tokens: 812, output_tokens: 64, cost_usd: 0.0002 },
        traceId: TURN_TRACE,
      },
    ],
  })

  // Staff step in: a person of staff takes the conversation over and writes; the system hands
  // it back.
  await writeAudit(db, {
    action: 'handoff_started',
    actor: `staff:${ROSA.sub}`,
    conversationId: id,
    target: `conversation:${id}`,
  })
  const written = await handoffs.personMessage(db, {
    conversationId: id,
    author: ROSA.sub,
    authorName: 'Rosa',
    text: 'Hi Ada, Rosa here: the room is free again.',
  })
  await writeAudit(db, {
    action: 'person_message',
    actor: `staff:${ROSA.sub}`,
    conversationId: id,
    target: `message:${written.id}`,
    payload: { chars: 42 },
  })
  await writeAudit(db, { action: 'handoff_ended', actor: 'system', conversationId: id })
}
