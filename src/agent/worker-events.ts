import type { ApprovalSummary } from '../protocol/approval-summary.ts'

/** What one turn of the Worker reports, in order, to a terminal, an SSE stream or a test. */
export type WorkerEvent =
  | { type: 'turn_started'; conversationId: string; resumed: boolean }
  | { type: 'text_delta'; conversationId: string; delta: string }
  | {
      type: 'tool_call'
      conversationId: string
      callId: string
      name: string
      arguments: Record<string, unknown>
      /** What a customer reads of it: "Looking up order #4429…" (the tool's words, or a default). */
      activity: string
    }
  | {
      type: 'tool_result'
      conversationId: string
      callId: string
      name: string
      status: 'ok' | 'error'
      /** The gateway's answer, first line, shortened (empty for skill tools). */
      summary: string
      /** The gateway put the call to staff: the request waiting for their decision. */
      staffRequest?: string
    }
  | { type: 'skill_activated'; conversationId: string; name: string }
  | {
      type: 'approval_requested'
      conversationId: string
      approvalId: string
      tool: string
      arguments: Record<string, unknown>
      /** What the person approves, as the gateway built it; null: unavailable (reject only). */
      summary: ApprovalSummary | null
    }
  | {
      type: 'approval_recorded'
      conversationId: string
      approvalId: string
      tool: string
      /** The summary the decision was on. */
      summary: ApprovalSummary | null
      decision: 'approved' | 'rejected'
      /** Approvals of the same run still waiting for a decision. */
      waiting: number
    }
  | {
      type: 'guardrail'
      conversationId: string
      guardrail: 'input_size' | 'secrets' | 'grounding'
      action: 'refused' | 'redacted' | 'blocked'
      detail: string
    }
  | {
      type: 'message'
      conversationId: string
      text: string
      usage: { inputTokens: number; outputTokens: number }
      costUsd: number | null
    }
  | { type: 'error'; conversationId: string | null; code: string; message: string }
  | {
      /** A person holds the conversation: the Worker does not answer (its reply, if any, dropped). */
      type: 'held'
      conversationId: string
      /** Who holds it (their subject). */
      by: string
    }
  | {
      type: 'turn_ended'
      conversationId: string
      status: 'completed' | 'paused' | 'failed' | 'held'
      traceId: string | null
    }

export type TurnStatus = Extract<WorkerEvent, { type: 'turn_ended' }>['status']
