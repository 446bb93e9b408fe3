import { luhn } from '../lib/luhn.ts'
/** A kind of secret the input guardrail takes out of a message. */
export type SecretKind = 'card_number' | 'api_key' | 'private_key' | 'us_ssn'

export interface ScreenedInput {
  /** The message with every secret replaced by a marker: what the model and the database get. */
  text: string
  /** What was taken out, by kind (never the values). */
  redacted: SecretKind[]
  /** Set when the message is over the limit: it is refused, not shortened. */
  tooLong: { chars: number; limit: number } | undefined
}

const MARKERS: Record<SecretKind, string> = {
  card_number: '[card number removed]',
  api_key: '[API key removed]',
  private_key: '[private key removed]',
  us_ssn: '[social security number removed]',
}

const PRIVATE_KEY =
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g
/** Provider key shapes: OpenAI/Anthropic sk-, GitHub, AWS access key ids, Slack, Google. */
const API_KEY =
  /\b(sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}|gh[pousr]_[A-Za-z0-9]{30,}|AKIA[0-9A-Z]{16}|xox[abprs]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35})\b/g
const SSN = /\b(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}\b/g
/** 13-19 digits, optionally in groups split by spaces or dashes. */
const CARD = /\b\d(?:[ -]?\d){12,18}\b/g

/**
 * The input guardrail, before anything reaches the model or the database: a message over
 * `maxChars` is refused; card numbers (Luhn-valid), API keys, private keys and US social security
 * numbers are replaced by markers.
 */
export function screenInput(message: string, maxChars: number): ScreenedInput {
  const chars = [...message].length
  if (chars > maxChars) {
    return { text: '', redacted: [], tooLong: { chars, limit: maxChars } }
  }
  const found = new Set<SecretKind>()
  const replace = (
    text: string,
    pattern: RegExp,
    kind: SecretKind,
    keep?: (m: string) => boolean,
  ) =>
    text.replace(pattern, (match) => {
      if (keep?.(match)) return match
      found.add(kind)
      return MARKERS[kind]
    })
  let text = replace(message, PRIVATE_KEY, 'private_key')
  text = replace(text, API_KEY, 'api_key')
  text = replace(text, CARD, 'card_number', (match) => !luhn(match.replace(/\D/g, '')))
  text = replace(text, SSN, 'us_ssn')
  return { text, redacted: [...found], tooLong: undefined }
}
