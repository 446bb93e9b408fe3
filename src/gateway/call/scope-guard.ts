import type { Identity } from '../../auth/identity.ts'
import { missingScopeMessage } from '../../auth/scopes.ts'
import { CallerError } from '../../lib/errors.ts'
import { requiredScope, type ToolDefinition } from '../../pack/tool-definition.ts'

/** The refusal a call of `tool` by `identity` gets when its token lacks the scope the tool needs. */
export function scopeRefusal(tool: ToolDefinition, identity: Identity): CallerError | undefined {
  const scope = requiredScope(tool)
  if (!identity.scopes.includes(scope)) {
    return new CallerError('insufficient_scope', missingScopeMessage(scope, tool.name))
  }
  if (tool.staffOnly === true && identity.role !== 'staff') {
    return new CallerError('forbidden', `${tool.name} is for support staff only.`)
  }
  return undefined
}
