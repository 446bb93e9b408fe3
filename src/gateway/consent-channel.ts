import type {
  ClientCapabilities,
  McpServer,
  ProtocolEra,
  ServerContext,
} from '@modelcontextprotocol/server'
import { CLIENT_CAPABILITIES_META_KEY } from '@modelcontextprotocol/server'
import type { ConsentChannel } from './call/consent-guard.ts'

/**
 * What a consent tool's description adds, for clients that decide what to confirm from it: the
 * truth about who asks the person, and what to do when the gateway cannot.
 */
export const CONSENT_NOTE = {
  none: '',
  server:
    ' Needs the yes of the person it acts for: the gateway asks them itself, with its own ' +
    'summary, when the client can put a question to its user (elicitation); a client that ' +
    'cannot must confirm with its user before calling.',
  host: ' Needs the yes of the person it acts for: confirm with them before calling.',
} as const

/**
 * How this request's client can be asked a question for its user (see `ConsentChannel`): its
 * capabilities come with each 2026-07-28 request, and from `initialize` on a 2025 connection (a
 * stateless 2025 HTTP request has neither, and cannot be sent a request anyway).
 */
export function consentChannel(
  server: McpServer,
  ctx: ServerContext,
  era: ProtocolEra = 'legacy',
): ConsentChannel {
  // The era is the connection's, as the SDK classified it: what a request's `_meta` claims cannot
  // make a 2025 connection another (nor take back the capabilities it declared at `initialize`).
  const modern = era === 'modern'
  // The SDK types the envelope as `{}`: its keys are read by name.
  const envelope = ctx.mcpReq.envelope as Readonly<Record<string, unknown>> | undefined
  const capabilities = (
    modern ? envelope?.[CLIENT_CAPABILITIES_META_KEY] : server.server.getClientCapabilities()
  ) as ClientCapabilities | undefined
  const elicitation = capabilities?.elicitation
  // `{}` is the 2025-06-18 form of "forms"; a client of links only cannot answer a yes/no form.
  const canAsk =
    elicitation !== undefined && (elicitation.form !== undefined || elicitation.url === undefined)
  if (modern) {
    const state = ctx.mcpReq.requestState<string>()
    // An answer to a question is taken as one, whatever the retry declares.
    if (!canAsk && state === undefined) return { kind: 'none' }
    return { kind: 'rounds', responses: ctx.mcpReq.inputResponses, state }
  }
  if (!canAsk) return { kind: 'none' }
  return {
    kind: 'push',
    elicit: (params, timeoutMs, signal) =>
      ctx.mcpReq.elicitInput(params, {
        timeout: timeoutMs,
        ...(signal === undefined ? {} : { signal }),
      }),
  }
}
