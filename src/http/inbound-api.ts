import { type Context, Hono, type MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type {
  InboundAccepted,
  InboundDoor,
  InboundRefusalReason,
  InboundRoute,
} from '../jobs/inbound/inbound-door.ts'
import { SIGNATURE_HEADER, verifySignature } from '../jobs/inbound/signature.ts'
import { CallerError, ConfigError, ConflictError } from '../lib/errors.ts'
import { readEnvelope, readEvent } from './inbound-input.ts'

export interface InboundOptions {
  /** The secrets each route accepts (several while one is rotated); a route without any is off. */
  secrets: { email?: readonly string[] | undefined; webhook?: readonly string[] | undefined }
  /** How far a signed timestamp may be from this server's clock, either way. */
  toleranceSeconds: number
  /** The largest body accepted, in bytes: nothing more is read. */
  maxBytes: number
  /** The pack's event kinds: the only kinds a webhook may post. */
  eventKinds: readonly string[]
  clock?: (() => Date) | undefined
  /** What an accepted request becomes, and where refusals are recorded. */
  door: InboundDoor
}

/** The variable that turns each route on, for the 404 of a route that is off. */
const SWITCH: Record<InboundRoute, string> = {
  email: 'EMAIL_INBOUND_SECRET',
  webhook: 'WEBHOOK_SECRET',
}

/**
 * What each refusal answers. A signature that does not hold, or no longer does (stale), is 401:
 * the sender must sign it right. A replay is 409, a conflict with what was received. Past the
 * size bound 413; a body that is not what the route takes 400; an event kind the pack does not
 * name 422 (well-formed, but not for this server).
 */
const STATUS: Record<InboundRefusalReason, 400 | 401 | 409 | 413 | 422> = {
  missing_signature: 401,
  malformed_signature: 401,
  bad_signature: 401,
  stale: 401,
  replayed: 409,
  too_large: 413,
  malformed: 400,
  unknown_kind: 422,
}

const SIGNATURE_REFUSAL = {
  missing: 'missing_signature',
  malformed: 'malformed_signature',
  bad_signature: 'bad_signature',
  stale: 'stale',
} as const

/**
 * The signed inbound routes, to mount at `/api/inbound`: `POST /email` takes raw MIME as a mail
 * provider posts it, `POST /webhook` an event `{ kind, id, data }` from a helpdesk or store. Each
 * is authenticated by its `Fte-Signature` (not a bearer token, and any media type), its body read
 * up to `maxBytes` and no further; a request signed and seen before is a replay. Every refusal is
 * recorded through the door and creates nothing.
 */
export function inboundApi(options: InboundOptions): Hono {
  checkOptions(options)
  const { door, toleranceSeconds, maxBytes } = options
  const clock = options.clock ?? (() => new Date())
  const kinds = new Set(options.eventKinds)
  const app = new Hono()

  async function refuse(
    c: Context,
    route: InboundRoute,
    reason: InboundRefusalReason,
    message: string,
    detail?: string,
  ): Promise<Response> {
    await door.refused({ route, reason, ...(detail === undefined ? {} : { detail }) })
    const status = STATUS[reason]
    // A 401 names the scheme it wants (RFC 9110): this one, not a bearer token.
    const headers = status === 401 ? { 'www-authenticate': SIGNATURE_HEADER } : undefined
    return c.json({ error: reason, message }, status, headers)
  }

  /** 404 while the route is off; else its body bounded, before anything reads it. */
  const opened = (route: InboundRoute): MiddlewareHandler => {
    // Hono's bodyLimit refuses a Content-Length past the bound unread, and reads a chunked body
    // only up to it (Node's HTTP parser ends a body at its Content-Length).
    const limit = bodyLimit({
      maxSize: maxBytes,
      onError: (c) =>
        refuse(
          c,
          route,
          'too_large',
          `The body is larger than ${maxBytes} bytes.`,
          `over ${maxBytes} bytes`,
        ),
    })
    return async (c, next) =>
      (options.secrets[route] ?? []).length === 0
        ? c.json(
            {
              error: 'not_found',
              message: `Inbound ${route} is off: set ${SWITCH[route]} to turn it on.`,
            },
            404,
          )
        : limit(c, next)
  }

  /** The body and its digest when its signature holds; else the refusal. */
  async function signed(
    c: Context,
    route: InboundRoute,
  ): Promise<{ body: Uint8Array; digest: string } | Response> {
    const body = new Uint8Array(await c.req.arrayBuffer())
    const check = verifySignature({
      secrets: options.secrets[route] ?? [],
      header: c.req.header(SIGNATURE_HEADER) ?? null,
      body,
      now: clock(),
      toleranceSeconds,
    })
    if (check.ok) return { body, digest: check.digest }
    const reason = SIGNATURE_REFUSAL[check.reason]
    return refuse(c, route, reason, signatureMessage(reason, toleranceSeconds))
  }

  /** 202 with what the door made of it; its replay (ConflictError) 409, its bad input 400 (413 too large). */
  async function deliver(c: Context, route: InboundRoute, work: () => Promise<InboundAccepted>) {
    try {
      const { id, duplicate } = await work()
      return c.json({ id, duplicate }, 202)
    } catch (error) {
      if (error instanceof ConflictError) {
        return refuse(c, route, 'replayed', 'This signed request was received before.')
      }
      if (error instanceof CallerError && error.code === 'email_too_large') {
        return refuse(c, route, 'too_large', error.message, error.message)
      }
      if (error instanceof CallerError) {
        return refuse(c, route, 'malformed', error.message, error.message)
      }
      throw error
    }
  }

  app.post('/email', opened('email'), async (c) => {
    const request = await signed(c, 'email')
    if (request instanceof Response) return request
    const envelope = readEnvelope(c.req.raw.headers)
    if (typeof envelope === 'string') return refuse(c, 'email', 'malformed', envelope, envelope)
    return deliver(c, 'email', () =>
      door.email({ raw: request.body, ...envelope, digest: request.digest }),
    )
  })

  app.post('/webhook', opened('webhook'), async (c) => {
    const request = await signed(c, 'webhook')
    if (request instanceof Response) return request
    const event = readEvent(request.body)
    if (typeof event === 'string') return refuse(c, 'webhook', 'malformed', event, event)
    const { kind } = event
    if (!kinds.has(kind)) {
      const allowed = [...kinds].join(', ') || 'none'
      const message = `Unknown event kind "${kind}"; this server takes: ${allowed}.`
      return refuse(c, 'webhook', 'unknown_kind', message, `kind ${kind}`)
    }
    return deliver(c, 'webhook', () => door.webhook({ ...event, digest: request.digest }))
  })

  return app
}

function signatureMessage(
  reason: (typeof SIGNATURE_REFUSAL)[keyof typeof SIGNATURE_REFUSAL],
  toleranceSeconds: number,
): string {
  switch (reason) {
    case 'missing_signature':
      return `The ${SIGNATURE_HEADER} header is missing: sign the request.`
    case 'malformed_signature':
      return `The ${SIGNATURE_HEADER} header is not t=<unix seconds>,v1=<hex HMAC-SHA256>.`
    case 'bad_signature':
      return 'The signature does not match the body with any secret of this server.'
    case 'stale':
      return `The signed timestamp is more than ${toleranceSeconds} seconds from this server's clock.`
  }
}

/** Every problem of the options at once, so a bad configuration fails at start-up. */
function checkOptions(options: InboundOptions): void {
  const problems: string[] = []
  const positive = (name: string, value: number) => {
    if (!Number.isSafeInteger(value) || value <= 0) {
      problems.push(`inbound ${name} must be a positive whole number (got ${value})`)
    }
  }
  positive('toleranceSeconds', options.toleranceSeconds)
  positive('maxBytes', options.maxBytes)
  for (const route of ['email', 'webhook'] as const) {
    // Never the secret itself in the message: only which one is too short.
    const short = (options.secrets[route] ?? []).findIndex((secret) => secret.length < 16)
    if (short >= 0) {
      problems.push(`${SWITCH[route]}: secret ${short + 1} is shorter than 16 characters`)
    }
  }
  if (options.eventKinds.some((kind) => kind.length === 0 || kind.length > 100)) {
    problems.push('an inbound event kind is 1 to 100 characters')
  }
  if (problems.length > 0) throw ConfigError.listing(problems)
}
