import { CallerError, FteError } from '../../lib/errors.ts'
import type { JsonObject } from '../../lib/json.ts'
import { TOOL_ERROR_CODES, type ToolErrorCode, toolError } from '../../protocol/gateway-wire.ts'
import { SQLSTATE, sqlState } from '../../store/sql-error.ts'
import { CLASHED, UNAVAILABLE } from './answers.ts'

export interface CallOutcome {
  content: Array<{ type: 'text'; text: string }>
  structuredContent?: JsonObject
  isError?: boolean
  _meta?: JsonObject
}

/**
 * An error the caller can act on: its message is shown as it is. The caller's fault and a code
 * the wire names, both: a caller's error the wire cannot name (a CLI's, a skill's) fails closed.
 */
export function isCallerError(error: unknown): error is CallerError & { code: ToolErrorCode } {
  return (
    error instanceof CallerError && (TOOL_ERROR_CODES as readonly string[]).includes(error.code)
  )
}

/**
 * The one place a failed call becomes an MCP result: the code in `structuredContent.error`, and a
 * text that tells the model what to do. Anything but a caller's mistake fails closed: the text
 * says the system of record could not answer and must not be guessed at.
 */
export function errorResult(error: unknown, detail = ''): CallOutcome {
  if (isCallerError(error)) return result(error.code, error.message)
  if (sqlState(error) === SQLSTATE.uniqueViolation) return result('conflict', CLASHED)
  const timedOut =
    (error instanceof FteError && error.code === 'timeout') ||
    sqlState(error) === SQLSTATE.queryCanceled
  return timedOut
    ? result('timeout', `The call timed out. ${UNAVAILABLE}`)
    : result('unavailable', `${UNAVAILABLE}${detail}`)
}

function result(code: ToolErrorCode, text: string): CallOutcome {
  return {
    content: [{ type: 'text', text }],
    structuredContent: toolError(code, text),
    isError: true,
  }
}
