import type { z } from 'zod'
import { invokeAudited } from '../../audit/audit-writer.ts'
import type { Identity } from '../../auth/identity.ts'
import { SystemError } from '../../lib/errors.ts'
import type { JsonObject } from '../../lib/json.ts'
import type { SessionClaims, ToolDefinition, ToolResult } from '../../pack/tool-definition.ts'
import type { TraceContext } from '../../protocol/trace-context.ts'
import { auditedPreview, previewOf } from '../approval-preview.ts'
import { recordedResult } from '../recorded-call.ts'
import { routeToStaff } from '../staff-decision.ts'
import type { GatewayDeps } from './gateway-deps.ts'

export interface AcceptedCall<S extends z.ZodObject = z.ZodObject> {
  tool: ToolDefinition<S>
  identity: Identity
  input: z.output<S>
  session: SessionClaims | undefined
  /** The arguments as the audit trail keeps them. */
  recorded: JsonObject
  /** The arguments as the caller sent them, without a session handle: what a staff request keeps. */
  arguments: JsonObject
  meta: Readonly<Record<string, unknown>>
  /** The caller's trace context (`traceparent`), recorded on the call's rows. */
  trace: TraceContext | undefined
  /** `true`: describe the call for approval, read-only, instead of running it. */
  preview: boolean
  signal: AbortSignal | undefined
}

/**
 * The tool itself, in one audited transaction: its business rows, its audit rows and its
 * invocation commit together or not at all; a read runs read-only and is recorded by group
 * commit. Postgres cancels a statement at the tool time limit, and the call as a whole is
 * abandoned then too (its transaction rolled back). A preview is its own invocation
 * (`mcp:<tool>:preview`), read-only whatever the tool does.
 */
export async function runAudited(deps: GatewayDeps, call: AcceptedCall): Promise<ToolResult> {
  const { tool, identity, preview, signal } = call
  let text = ''
  let staffRequest: string | undefined
  const data = await invokeAudited(
    deps.db,
    {
      capability: `mcp:${tool.name}${preview ? ':preview' : ''}`,
      actor: `gateway:${identity.sub}`,
      arguments: call.recorded,
      conversationId: call.session?.conversationId ?? null,
      trace: call.trace,
    },
    async ({ tx, record }) => {
      // A caller that gave up before the tool started (while its person was asked, say): nothing runs.
      if (signal?.aborted) {
        throw new SystemError('timeout', `${tool.name} was cancelled by its caller before it ran`)
      }
      const timeout = new AbortController()
      const cancel = () => timeout.abort()
      signal?.addEventListener('abort', cancel, { once: true })
      let timer: NodeJS.Timeout | undefined
      try {
        const result: ToolResult = await Promise.race([
          (preview ? previewOf(tool) : tool).run(
            {
              tx,
              identity,
              session: call.session,
              conversationId: call.session?.conversationId,
              record: (entry) => record({ actor: `gateway:${identity.sub}`, ...entry }),
              signal: timeout.signal,
              meta: call.meta,
              search: deps.search,
              requestStaffDecision: async (request) => {
                const routed = await routeToStaff({ tx, record, call, request, preview })
                staffRequest = routed.id
                return routed
              },
            },
            call.input,
          ),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              timeout.abort()
              reject(
                new SystemError(
                  'timeout',
                  `${tool.name} did not finish within ${deps.toolTimeoutMs} ms`,
                ),
              )
            }, deps.toolTimeoutMs)
          }),
        ])
        text = result.text
        return result.data
      } finally {
        clearTimeout(timer)
        signal?.removeEventListener('abort', cancel)
      }
    },
    {
      statementTimeoutMs: Math.trunc(deps.toolTimeoutMs),
      recordedResult: preview ? auditedPreview : (result) => recordedResult(tool, result),
      ...(preview || tool.annotations.readOnlyHint
        ? {
            reads: {
              db: deps.reads,
              transaction: preview || tool.isolation !== 'statement' || !deps.readStatements,
              recorder: deps.recorder,
            },
          }
        : {}),
    },
  )
  return { data, text, ...(staffRequest === undefined ? {} : { staffRequest }) }
}
