import { generateSpanId, type MCPServer } from '@openai/agents'
import { type ApprovalSummary, approvalSummarySchema } from '../protocol/approval-summary.ts'
import { META } from '../protocol/gateway-wire.ts'
import { fromAgentsSdk, traceMeta } from '../protocol/trace-context.ts'
import type { TurnState } from './worker-context.ts'

/**
 * The gateway's summary of a call the Worker paused on: the same tool called with the same
 * arguments, marked as a preview, so the gateway describes it read-only in the caller's identity
 * instead of running it. Null when it cannot be had (the gateway or its database down, the call
 * naming something the caller cannot see, an answer that is no summary): the request is then
 * shown as unavailable and can only be rejected.
 */
export async function previewApproval(
  server: MCPServer,
  turn: TurnState,
  call: { tool: string; arguments: Record<string, unknown> },
  timeoutMs: number,
): Promise<ApprovalSummary | null> {
  // The arguments the tool will get when the run resumes: the model's, without a session handle.
  const args = { ...call.arguments }
  delete args.session
  try {
    const result = await server.callToolResult?.(
      call.tool,
      args,
      {
        [META.session]: turn.sessionHandle,
        [META.conversation]: turn.conversationId,
        // In the turn's trace; made outside any span of it, so from a span id of its own.
        ...traceMeta(fromAgentsSdk(turn.traceId, generateSpanId())),
        [META.preview]: true,
      },
      { signal: AbortSignal.timeout(timeoutMs) },
    )
    if (result === undefined || result.isError === true) return null
    const parsed = approvalSummarySchema.safeParse(result.structuredContent)
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}
