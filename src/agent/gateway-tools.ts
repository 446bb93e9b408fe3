import { getCurrentSpan, type Tool, tool } from '@openai/agents'
import type { InvocationStatus } from '../audit/audited.ts'
import type { JsonObject } from '../lib/json.ts'
import { fillTemplate, META, RESULT_META, TOOL_META } from '../protocol/gateway-wire.ts'
import { fromAgentsSdk, traceMeta } from '../protocol/trace-context.ts'
import type { GatewayServer } from './gateway-client.ts'
import type { TurnState, Turns, WorkerRunContext } from './worker-context.ts'

/** A tool of the Worker's agent as the SDK runs it: a gateway tool over MCP, or a skill tool. */
export type AgentTool = Tool<WorkerRunContext>

/** What the model reads when the gateway cannot be reached: the fail-closed instruction. */
export const GATEWAY_UNREACHABLE =
  'The gateway to the system of record could not be reached, so nothing was checked or changed. ' +
  'Do not answer from memory and do not invent data: tell the user you cannot check right now.'

export interface GatewayCall {
  name: string
  callId: string | undefined
  status: InvocationStatus
  latencyMs: number
  traceId: string | undefined
  spanId: string | undefined
}

export interface GatewayToolsOptions {
  /** Tools that wait for a person's approval before they run. */
  approval: ReadonlySet<string>
  /** The longest the Worker waits for one call. */
  timeoutMs: number
  /** The Worker's turns, to find the one a call belongs to. */
  turns: Turns
  /** Records the call on the Worker's side; a failure to record fails the call (fail closed). */
  record(turn: TurnState, call: GatewayCall): Promise<void>
}

/** What a page says of a gateway tool's call: its activity and topic templates (`tools/list`). */
export interface ToolWords {
  activity?: string | undefined
  topic?: string | undefined
}

const WORDS = Symbol('digital-fte tool words')

/** The words a tool of the agent carries (gateway tools only). */
export function toolWords(tool: unknown): ToolWords | undefined {
  return typeof tool === 'object' && tool !== null
    ? (tool as { [WORDS]?: ToolWords })[WORDS]
    : undefined
}

/** Tools the harness calls itself: the model never sees them. */
const HARNESS_ONLY = new Set(['begin_session'])

/**
 * The gateway's tools as the model sees them: every tool but `begin_session`, without the
 * `session` argument, which the harness sends in `_meta` with the conversation and the trace. A
 * call that fails to reach the gateway (down, timed out) reads as the fail-closed instruction.
 */
export async function gatewayTools(
  server: GatewayServer,
  options: GatewayToolsOptions,
): Promise<AgentTool[]> {
  const listed = await server.listTools()
  return listed
    .filter((mcpTool) => !HARNESS_ONLY.has(mcpTool.name))
    .map((mcpTool) => {
      const properties = { ...(mcpTool.inputSchema?.properties ?? {}) }
      delete properties.session
      const parameters = {
        type: 'object',
        properties,
        required: (mcpTool.inputSchema?.required ?? []).filter((name) => name !== 'session'),
        additionalProperties: true,
      } as const
      const meta = (mcpTool as { _meta?: Record<string, unknown> })._meta ?? {}
      const words: ToolWords = {
        activity:
          typeof meta[TOOL_META.activity] === 'string'
            ? (meta[TOOL_META.activity] as string)
            : undefined,
        topic:
          typeof meta[TOOL_META.topic] === 'string' ? (meta[TOOL_META.topic] as string) : undefined,
      }
      // The SDK's tool types are invariant in their context; each tool is one of the agent's.
      const made = tool<typeof parameters, WorkerRunContext>({
        name: mcpTool.name,
        description: mcpTool.description ?? '',
        parameters,
        strict: false,
        needsApproval: options.approval.has(mcpTool.name),
        async execute(input, runContext, details) {
          const context = options.turns.of(runContext?.context)
          const span = getCurrentSpan()
          const args = { ...(typeof input === 'string' ? JSON.parse(input || '{}') : input) }
          delete args.session
          const timeout = AbortSignal.timeout(options.timeoutMs)
          const signal =
            details?.signal === undefined ? timeout : AbortSignal.any([details.signal, timeout])
          const started = performance.now()
          const callId = details?.toolCall?.callId
          let text: string
          let status: InvocationStatus
          let staffRequest: string | undefined
          let structured: JsonObject | undefined
          try {
            const result = await server.callToolResult(
              mcpTool.name,
              args,
              {
                [META.session]: context.sessionHandle,
                [META.conversation]: context.conversationId,
                ...traceMeta(fromAgentsSdk(span?.traceId ?? context.traceId, span?.spanId)),
              },
              { signal, consent: callId === undefined ? undefined : context.consents.get(callId) },
            )
            text = (result.content as Array<{ type: string; text?: string }>)
              .map((part) => part.text ?? '')
              .join('\n')
            status = result.isError === true ? 'error' : 'ok'
            const routed = (result._meta as Record<string, unknown> | undefined)?.[
              RESULT_META.staffRequest
            ]
            if (typeof routed === 'string') staffRequest = routed
            structured = result.structuredContent as JsonObject | undefined
            if (status === 'ok') {
              // What the conversation is about: the first call with a topic says (its title).
              context.topic ??=
                words.topic === undefined ? undefined : fillTemplate(words.topic, args)
              context.ground(text)
              if (result.structuredContent !== undefined) {
                context.ground(JSON.stringify(result.structuredContent))
              }
            }
          } catch {
            text = GATEWAY_UNREACHABLE
            status = timeout.aborted ? 'timeout' : 'error'
          }
          if (callId !== undefined) context.results.set(callId, { status, text, staffRequest })
          context.called({ tool: mcpTool.name, status, structured, staffRequest })
          await options.record(context, {
            name: mcpTool.name,
            callId,
            status,
            latencyMs: performance.now() - started,
            traceId: span?.traceId ?? context.traceId,
            spanId: span?.spanId,
          })
          return text
        },
      })
      return Object.assign(made, { [WORDS]: words }) as unknown as AgentTool
    })
}
