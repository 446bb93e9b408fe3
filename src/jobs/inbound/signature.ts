import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Signed inbound requests: `Fte-Signature: t=<unix seconds>,v1=<hex>` where v1 is the
 * HMAC-SHA256, with a shared secret, of `<t>.<body>`. The timestamp is signed with the body, so a
 * captured request cannot be sent again later with a fresh one. Several `v1` may be sent, and
 * several secrets accepted, so that a secret is rotated without a moment where either side refuses.
 */
export const SIGNATURE_HEADER = 'Fte-Signature'

export type SignatureCheck =
  | {
      ok: true
      /** The signed timestamp, in unix seconds. */
      timestamp: number
      /** sha256 (hex) of the signed bytes: the same request twice has the same digest (a replay). */
      digest: string
    }
  | { ok: false; reason: 'missing' | 'malformed' | 'bad_signature' | 'stale' }

export interface SignatureInput {
  /** Every secret accepted (the current one and, while rotating, the previous). */
  secrets: readonly string[]
  /** The `Fte-Signature` header's value; null when it was not sent. */
  header: string | null
  body: Uint8Array
  now: Date
  /** How far the signed timestamp may be from `now`, in the past or the future. */
  toleranceSeconds: number
}

const TIMESTAMP = /^\d{1,12}$/
const HEX_SHA256 = /^[0-9a-fA-F]{64}$/

/** The bytes a signature covers: `<timestamp>.` then the body, as sent. */
function signedBytes(timestamp: number, body: Uint8Array | string): Buffer {
  return Buffer.concat([Buffer.from(`${timestamp}.`), Buffer.from(body)])
}

function hmac(secret: string, bytes: Buffer): Buffer {
  return createHmac('sha256', secret).update(bytes).digest()
}

/** The `Fte-Signature` value for `body` sent at `timestamp` (unix seconds): for senders and tests. */
export function signPayload(secret: string, body: Uint8Array | string, timestamp: number): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new RangeError('a signature timestamp is a whole number of unix seconds')
  }
  return `t=${timestamp},v1=${hmac(secret, signedBytes(timestamp, body)).toString('hex')}`
}

/** The header's parts; undefined when it is not `t=<digits>` once and at least one well-formed v1. */
function parseHeader(header: string): { timestamp: number; signatures: Buffer[] } | undefined {
  let timestamp: number | undefined
  const signatures: Buffer[] = []
  for (const part of header.split(',')) {
    const at = part.indexOf('=')
    if (at < 0) return undefined
    const key = part.slice(0, at).trim()
    const value = part.slice(at + 1).trim()
    if (key === 't') {
      if (timestamp !== undefined || !TIMESTAMP.test(value)) return undefined
      timestamp = Number(value)
    } else if (key === 'v1') {
      if (!HEX_SHA256.test(value)) return undefined
      signatures.push(Buffer.from(value, 'hex'))
    }
    // Other schemes (a future v2) are ignored, so a sender may add one before this side knows it.
  }
  return timestamp === undefined || signatures.length === 0 ? undefined : { timestamp, signatures }
}

/**
 * Whether `header` signs `body` with one of `secrets`, at a time within `toleranceSeconds` of
 * `now`. The signature is checked before the time, so `stale` is said only of a request that was
 * really signed (a clock to set right, or an old one sent again), never to a guesser.
 */
export function verifySignature(input: SignatureInput): SignatureCheck {
  if (input.header === null || input.header.trim() === '') return { ok: false, reason: 'missing' }
  const parsed = parseHeader(input.header)
  if (parsed === undefined) return { ok: false, reason: 'malformed' }
  const bytes = signedBytes(parsed.timestamp, input.body)
  // Every pair compared, in constant time each: how long it takes says nothing of which matched.
  let matched = false
  for (const secret of input.secrets) {
    const expected = hmac(secret, bytes)
    for (const sent of parsed.signatures) matched = timingSafeEqual(expected, sent) || matched
  }
  if (!matched) return { ok: false, reason: 'bad_signature' }
  const skew = Math.abs(input.now.getTime() / 1000 - parsed.timestamp)
  if (skew > input.toleranceSeconds) return { ok: false, reason: 'stale' }
  const digest = createHash('sha256').update(bytes).digest('hex')
  return { ok: true, timestamp: parsed.timestamp, digest }
}
