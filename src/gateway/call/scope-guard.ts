import type { Identity } from '../../auth/identity.ts'
import { missingScopeMessage } from '../../auth/scopes.ts'
import { CallerError } from '../../lib/errors.ts'
import { requiredScope, type ToolDefinition } from '../../pack/tool-definition.ts'

/** Every job may begin its session: the envelope lists what it may do once begun. */
const ALWAYS = new Set(['begin_session'])

/**
 * The refusal a call of `tool` by `identity` gets when a job's envelope leaves the tool out, or its
 * token lacks the scope the tool needs.
 */
export function scopeRefusal(tool: ToolDefinition, identity: Identity): CallerError | undefined {
  const envelope = identity.envelope
  if (envelope !== undefined && !ALWAYS.has(tool.name) && !envelope.tools.includes(tool.name)) {
    return new CallerError(
      'outside_envelope',
      `${tool.name} is outside what a ${envelope.trigger} job may do. A person will take this over; do not try another way.`,
    )
  }
  const scope = requiredScope(tool)
  if (!identity.scopes.includes(scope)) {
    return new CallerError('insufficient_scope', missingScopeMessage(scope, tool.name))
  }
  if (tool.staffOnly === true && identity.role !== 'staff') {
    return new CallerError('forbidden', `${tool.name} is for support staff only.`)
  }
  return undefined
}
