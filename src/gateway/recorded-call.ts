import { digest } from '../audit/personal-data.ts'
import { storable } from '../audit/storable.ts'
import type { Json, JsonObject } from '../lib/json.ts'
import type { ToolDefinition } from '../pack/tool-definition.ts'

/** Characters of a call's arguments kept in its invocation row. */
const MAX_RECORDED_ARGUMENTS = 8192

/** Keys whose values are credentials: never kept, not even digested. */
const CREDENTIAL = /handle|token|secret/i

/**
 * The arguments as the call's invocation row keeps them, whatever they are (they are recorded
 * before they are validated): no session handle, the tool's sensitive fields digested, nesting
 * capped and unstorable text escaped, and an oversized set summarised by its keys. Emails, phones
 * and card numbers anywhere in them are digested by the audit writer.
 */
export function recordedArguments(tool: ToolDefinition, args: Record<string, unknown>): JsonObject {
  const { session: _handle, ...rest } = args
  const kept = hideFields(tool, storable(rest)) as JsonObject
  const size = JSON.stringify(kept).length
  if (size > MAX_RECORDED_ARGUMENTS) {
    return { _truncated: true, characters: size, keys: Object.keys(kept).slice(0, 50) }
  }
  return kept
}

/** A result as the invocation row keeps it: no credential, the tool's sensitive fields digested. */
export function recordedResult(tool: ToolDefinition, value: Json): Json {
  return hideFields(tool, value)
}

/**
 * `value` with every credential redacted and every field the tool marks sensitive (free text,
 * names) replaced by its digest and length, at any depth.
 */
function hideFields(tool: ToolDefinition, value: Json): Json {
  if (Array.isArray(value)) return value.map((item) => hideFields(tool, item))
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]): [string, Json] => {
      if (typeof inner === 'string' && CREDENTIAL.test(key)) return [key, '[redacted]']
      if (inner !== null && tool.sensitive?.includes(key)) {
        const text = typeof inner === 'string' ? inner : JSON.stringify(inner)
        return [key, { sha256: digest(text), length: text.length }]
      }
      return [key, hideFields(tool, inner)]
    }),
  )
}
