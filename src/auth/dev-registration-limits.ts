import type { KoaContextWithOIDC } from 'oidc-provider'

export interface RegistrationLimits {
  /** How many clients may be registered here at once, in all. Default 100. */
  maxClients?: number
  /** How many registrations are taken in any minute. Default 10. */
  perMinute?: number
}

type Middleware = (ctx: KoaContextWithOIDC, next: () => Promise<unknown>) => Promise<void>

/**
 * Open registration, bounded: at most `maxClients` registered clients, and `perMinute`
 * registration requests a minute, so that a loop cannot fill the memory or the clients file.
 * A refusal answers in the registration error format (RFC 7591: JSON `error` and
 * `error_description`), with `Retry-After` when waiting helps.
 */
export function registrationLimits(
  path: string,
  limits: RegistrationLimits,
  registered: () => number,
  now: () => number = Date.now,
): Middleware {
  const maxClients = limits.maxClients ?? 100
  const perMinute = limits.perMinute ?? 10
  for (const [name, value] of Object.entries({ maxClients, perMinute })) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new TypeError(`registration limit ${name} must be a whole number ≥ 1, not ${value}`)
    }
  }
  const recent: number[] = []
  let pending = 0
  return async (ctx, next) => {
    if (ctx.method !== 'POST' || ctx.path !== path) return void (await next())
    const at = now()
    while (recent.length > 0 && (recent[0] ?? 0) <= at - 60_000) recent.shift()
    if (recent.length >= perMinute) {
      const wait = Math.max(1, Math.ceil(((recent[0] ?? at) + 60_000 - at) / 1000))
      ctx.set('retry-after', String(wait))
      return refuse(
        ctx,
        429,
        'temporarily_unavailable',
        `too many client registrations: at most ${perMinute} a minute here; try again in ${wait} s`,
      )
    }
    if (registered() + pending >= maxClients) {
      return refuse(
        ctx,
        403,
        'access_denied',
        `this development authorization server already has ${maxClients} registered clients, its limit; ` +
          'restart it without the clients it keeps (remove dev-auth-clients.json in FTE_DATA_DIR), and clients register again',
      )
    }
    recent.push(at)
    // Counted while it runs, so that registrations arriving together count each other.
    pending++
    try {
      await next()
    } finally {
      pending--
    }
  }
}

function refuse(ctx: KoaContextWithOIDC, status: number, error: string, description: string): void {
  ctx.status = status
  ctx.set('cache-control', 'no-store')
  ctx.body = { error, error_description: description }
}
