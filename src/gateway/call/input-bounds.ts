import { isStorableText } from '../../audit/storable.ts'

/** Arguments nested deeper than this are refused. */
export const MAX_INPUT_DEPTH = 32

/** Arguments larger than this (as JSON, in UTF-8) are refused; a tool may set a smaller limit. */
export const MAX_INPUT_BYTES = 64 * 1024

/**
 * Why a call's arguments cannot be accepted whatever the tool, or undefined: nesting deeper than
 * {@link MAX_INPUT_DEPTH} levels, more than `maxBytes` as JSON, or a string (or key) holding NUL or
 * a lone surrogate, which Postgres cannot store. The walk keeps its own stack, so a hostile nesting
 * cannot overflow the process's, and it stops at the first problem.
 */
export function inputProblem(args: unknown, maxBytes = MAX_INPUT_BYTES): string | undefined {
  const pending: Array<{ value: unknown; depth: number }> = [{ value: args, depth: 1 }]
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value, depth } = next
    if (typeof value === 'string') {
      if (!isStorableText(value)) return UNSTORABLE_TEXT
      continue
    }
    if (value === null || typeof value !== 'object') continue
    if (depth > MAX_INPUT_DEPTH)
      return `the arguments are nested deeper than ${MAX_INPUT_DEPTH} levels`
    for (const [key, inner] of Object.entries(value)) {
      if (!isStorableText(key)) return UNSTORABLE_TEXT
      pending.push({ value: inner, depth: depth + 1 })
    }
  }
  const bytes = Buffer.byteLength(JSON.stringify(args) ?? '')
  if (bytes > maxBytes) return `the arguments are ${bytes} bytes; at most ${maxBytes} are accepted`
  return undefined
}

const UNSTORABLE_TEXT =
  'the arguments contain a NUL character or an unpaired surrogate, which no text field accepts'
