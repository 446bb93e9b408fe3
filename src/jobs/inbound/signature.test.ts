import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { type SignatureInput, signPayload, verifySignature } from './signature.ts'

const SECRET = 'whsec-current-0123456789abcdef'
const OLD_SECRET = 'whsec-previous-0123456789abcdef'
const NOW = new Date('2027-03-01T12:00:00Z')
const T = NOW.getTime() / 1000
const body = new TextEncoder().encode('{"kind":"status_changed","id":"evt_1","data":{}}')

const check = (over: Partial<SignatureInput>) =>
  verifySignature({
    secrets: [SECRET],
    header: signPayload(SECRET, body, T),
    body,
    now: NOW,
    toleranceSeconds: 300,
    ...over,
  })

describe('signPayload', () => {
  it('writes t and v1, the HMAC-SHA256 of "<t>.<body>" in hex', () => {
    const expected = createHmac('sha256', SECRET).update(`${T}.hello`).digest('hex')
    expect(signPayload(SECRET, 'hello', T)).toBe(`t=${T},v1=${expected}`)
  })

  it('signs a string and its UTF-8 bytes alike', () => {
    expect(signPayload(SECRET, 'héllo', T)).toBe(
      signPayload(SECRET, new TextEncoder().encode('héllo'), T),
    )
  })

  it('refuses a timestamp that is not whole unix seconds', () => {
    expect(() => signPayload(SECRET, 'x', 1.5)).toThrow(RangeError)
    expect(() => signPayload(SECRET, 'x', -1)).toThrow(RangeError)
  })
})

describe('verifySignature', () => {
  it('accepts a body signed with the secret, with its timestamp and the digest of what was signed', () => {
    const result = check({})
    expect(result).toEqual({
      ok: true,
      timestamp: T,
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
    })
  })

  it('gives the same digest for the same signed request, another for another timestamp', () => {
    const first = check({})
    const again = check({})
    const later = check({ header: signPayload(SECRET, body, T + 1) })
    expect(first.ok && again.ok && later.ok).toBe(true)
    if (first.ok && again.ok && later.ok) {
      expect(again.digest).toBe(first.digest)
      expect(later.digest).not.toBe(first.digest)
    }
  })

  it('says missing without a header, or with an empty one', () => {
    expect(check({ header: null })).toEqual({ ok: false, reason: 'missing' })
    expect(check({ header: '  ' })).toEqual({ ok: false, reason: 'missing' })
  })

  it.each([
    ['no timestamp', `v1=${'a'.repeat(64)}`],
    ['no signature', `t=${T}`],
    ['two timestamps', `t=${T},t=${T},v1=${'a'.repeat(64)}`],
    ['a timestamp that is not digits', `t=soon,v1=${'a'.repeat(64)}`],
    ['a signature that is not 64 hex digits', `t=${T},v1=abc`],
    ['a part without =', `t=${T},v1`],
  ])('says malformed for a header with %s', (_what, header) => {
    expect(check({ header })).toEqual({ ok: false, reason: 'malformed' })
  })

  it('says bad_signature for another secret', () => {
    expect(check({ header: signPayload('someone-else-entirely', body, T) })).toEqual({
      ok: false,
      reason: 'bad_signature',
    })
  })

  it('says bad_signature when one byte of the body changed', () => {
    const changed = Uint8Array.from(body)
    changed[10] = (changed[10] ?? 0) ^ 1
    expect(check({ body: changed })).toEqual({ ok: false, reason: 'bad_signature' })
  })

  it('says bad_signature when the timestamp was changed after signing', () => {
    const header = signPayload(SECRET, body, T).replace(`t=${T}`, `t=${T + 60}`)
    expect(check({ header })).toEqual({ ok: false, reason: 'bad_signature' })
  })

  it('says bad_signature when no secret is configured: it fails closed', () => {
    expect(check({ secrets: [] })).toEqual({ ok: false, reason: 'bad_signature' })
  })

  it('says stale for a timestamp past the tolerance, in the past or in the future', () => {
    for (const t of [T - 301, T + 301]) {
      expect(check({ header: signPayload(SECRET, body, t) })).toEqual({
        ok: false,
        reason: 'stale',
      })
    }
    for (const t of [T - 300, T + 300])
      expect(check({ header: signPayload(SECRET, body, t) }).ok).toBe(true)
  })

  it('says bad_signature, not stale, for an old request under another secret', () => {
    const header = signPayload('someone-else-entirely', body, T - 10_000)
    expect(check({ header })).toEqual({ ok: false, reason: 'bad_signature' })
  })

  it('accepts a request signed with the previous secret while both are configured', () => {
    const header = signPayload(OLD_SECRET, body, T)
    expect(check({ header, secrets: [SECRET, OLD_SECRET] }).ok).toBe(true)
    expect(check({ header, secrets: [SECRET] })).toEqual({ ok: false, reason: 'bad_signature' })
  })

  it('accepts a header with one v1 per secret, when any one matches', () => {
    const sig = (secret: string) => signPayload(secret, body, T).split(',v1=')[1]
    const header = `t=${T}, v1=${sig(OLD_SECRET)}, v1=${sig(SECRET)}`
    expect(check({ header, secrets: [SECRET] }).ok).toBe(true)
    expect(check({ header, secrets: [OLD_SECRET] }).ok).toBe(true)
    expect(check({ header, secrets: ['a-third-secret-nobody-used'] }).ok).toBe(false)
  })

  it('ignores schemes it does not know, beside a v1', () => {
    const header = `${signPayload(SECRET, body, T)},v2=whatever`
    expect(check({ header }).ok).toBe(true)
  })
})
