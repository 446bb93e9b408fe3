import type { Identity } from '../../auth/identity.ts'
import type { SessionClaims, ToolDefinition } from '../../pack/tool-definition.ts'
import { META } from '../../protocol/gateway-wire.ts'
import type { SessionHandles } from '../session-handle.ts'

/**
 * The session handle a call carries: its `session` argument (what a model passes), else the
 * `_meta` one (what the Worker's harness passes, so the model never sees it).
 */
export function sessionHandleOf(
  args: Record<string, unknown>,
  meta: Readonly<Record<string, unknown>>,
): string | undefined {
  if (typeof args.session === 'string') return args.session
  const fromMeta = meta[META.session]
  return typeof fromMeta === 'string' ? fromMeta : undefined
}

/**
 * The session contract: a tool that needs a session runs only with a handle this gateway issued
 * to this identity, unexpired; the claims say which conversation the call belongs to. Tools
 * callable before `begin_session` get none.
 */
export async function sessionFor(
  sessions: SessionHandles,
  tool: ToolDefinition,
  identity: Identity,
  handle: string | undefined,
): Promise<SessionClaims | undefined> {
  if (tool.needsSession === false) return undefined
  return sessions.verify(handle, identity.sub)
}
