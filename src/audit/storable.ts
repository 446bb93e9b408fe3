import type { Json } from '../lib/json.ts'

/** Deeper than this, a recorded value keeps a marker instead of its contents. */
export const MAX_STORED_DEPTH = 32

/** What stands in for a value nested deeper than the audit trail keeps. */
export const TOO_DEEP = `[nested deeper than ${MAX_STORED_DEPTH} levels]`

// NUL, and a surrogate without its pair: text Postgres refuses (in `text` and `jsonb` alike).
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what it looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/** True when Postgres can store `text` as it is: no NUL, no unpaired surrogate. */
export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && text.isWellFormed()
}

/**
 * Text Postgres accepts, with nothing dropped: NUL and lone surrogates become the six characters
 * of their JSON escape (`\u0000`), so an investigator still sees exactly what was sent.
 */
export function storableText(text: string): string {
  if (isStorableText(text)) return text
  return text.replace(UNSTORABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/**
 * A value as the audit trail can always store it in `jsonb`: every string and key passed through
 * `text` (by default made storable, above), anything deeper than {@link MAX_STORED_DEPTH} levels
 * replaced by a marker (so a hostile nesting can neither overflow a stack nor be refused by the
 * database), and what JSON cannot hold (undefined, functions) left out as `JSON.stringify` would.
 */
export function storable(
  value: unknown,
  text: (text: string) => string = storableText,
  depth = 0,
): Json {
  if (typeof value === 'string') return text(value)
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (typeof value === 'boolean' || value === null) return value
  if (typeof value === 'bigint') return value.toString()
  if (typeof value !== 'object') return null
  if (depth >= MAX_STORED_DEPTH) return TOO_DEEP
  if (value instanceof Date) return value.toISOString()
  if (Array.isArray(value)) return value.map((item) => storable(item, text, depth + 1))
  const kept: Array<[string, Json]> = []
  for (const [key, inner] of Object.entries(value)) {
    if (inner === undefined || typeof inner === 'function') continue
    kept.push([text(key), storable(inner, text, depth + 1)])
  }
  // fromEntries defines each key as data, so a key named `__proto__` stays a key.
  return Object.fromEntries(kept)
}
