import { isIP } from 'node:net'
import { z } from 'zod'
import type { InboundEmail, InboundEvent } from '../jobs/inbound/inbound-door.ts'

/** What a signed inbound request says, once read; or, as a string, what is wrong with it. */
type Read<T> = T | string

const EVENT = z.strictObject({
  kind: z.string().min(1).max(100),
  id: z.string().min(1).max(200),
  data: z.record(z.string(), z.unknown()),
})

/** RFC 5321's limits: a path of 256 octets, a domain of 255. */
const ENVELOPE_LIMITS = { 'fte-mail-from': 256, 'fte-helo': 255 } as const

/** A webhook's body: `{ kind, id, data }` in JSON, nothing else. */
export function readEvent(body: Uint8Array): Read<Omit<InboundEvent, 'digest'>> {
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body))
  } catch {
    return 'The body is not JSON.'
  }
  const event = EVENT.safeParse(json)
  if (event.success) return event.data
  const problems = event.error.issues.map(
    (issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`,
  )
  return `The event is not { kind, id, data }: ${problems.join('; ')}`
}

/** The SMTP envelope the mail provider saw, from its optional headers (absent: null). */
export function readEnvelope(
  headers: Headers,
): Read<Pick<InboundEmail, 'mailFrom' | 'remoteIp' | 'helo'>> {
  const read = (name: string) => headers.get(name)?.trim() || null
  for (const [name, limit] of Object.entries(ENVELOPE_LIMITS)) {
    if ((read(name)?.length ?? 0) > limit) return `${name} is longer than ${limit} characters.`
  }
  const remoteIp = read('fte-remote-ip')
  if (remoteIp !== null && isIP(remoteIp) === 0) return 'fte-remote-ip is not an IP address.'
  return { mailFrom: read('fte-mail-from'), remoteIp, helo: read('fte-helo') }
}
