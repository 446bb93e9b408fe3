import type { Identity } from '../auth/identity.ts'
import { errorMessage } from '../lib/errors.ts'
import { beginSessionResultSchema, META, toolErrorCode } from '../protocol/gateway-wire.ts'
import type { GatewayAccess } from './gateway-access.ts'
import type { GatewayServer } from './gateway-client.ts'

/** A gateway session the harness began for one turn: the model never sees the handle. */
export interface Begun {
  server: GatewayServer
  handle: string
  /** The verified subject the gateway acts for. */
  userId: string
  persona: string
  rules: string
  /** A job's envelope: the tools it may call (set only for a job's identity). */
  envelope?: readonly string[] | undefined
}

export interface Refused {
  refused: 'not_found' | 'gateway'
  message: string
}

/**
 * Connects and calls `begin_session` for the conversation (which the gateway makes if it is new,
 * and refuses if it is someone else's). A refusal says why: not found, or the gateway down.
 */
export async function beginSession(
  gateway: GatewayAccess,
  identity: Identity | undefined,
  conversationId: string,
  timeoutMs: number,
): Promise<Begun | Refused> {
  try {
    const server = await gateway.connect(identity)
    const result = await server.callToolResult?.(
      'begin_session',
      {},
      { [META.conversation]: conversationId },
      { signal: AbortSignal.timeout(timeoutMs) },
    )
    const text = (result?.content as Array<{ text?: string }> | undefined)
      ?.map((c) => c.text ?? '')
      .join('\n')
    if (result === undefined || result.isError === true) {
      const notFound = toolErrorCode(result?.structuredContent) === 'not_found'
      return { refused: notFound ? 'not_found' : 'gateway', message: text ?? 'no answer' }
    }
    const data = beginSessionResultSchema.parse(result.structuredContent)
    return {
      server,
      handle: data.session_handle,
      userId: data.user.id,
      persona: data.persona,
      rules: data.rules,
      envelope: identity?.envelope?.tools,
    }
  } catch (error) {
    return { refused: 'gateway', message: errorMessage(error) }
  }
}
