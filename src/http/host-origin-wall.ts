import type { MiddlewareHandler } from 'hono'
import { type HostOriginOptions, hostOriginCheck } from '../auth/host-origin.ts'
import type { Logger } from '../lib/logger.ts'

export interface HostOriginWallOptions extends HostOriginOptions {
  logger: Logger
}

/**
 * 403 for a request whose Host or Origin is not this server's (`hostOriginCheck`, which `/mcp`
 * uses too). Every route behind it, signed webhooks included: only what is probed or read by
 * address from anywhere (health, sign-in metadata) is served before it.
 */
export function hostOriginWall(options: HostOriginWallOptions): MiddlewareHandler {
  const foreign = hostOriginCheck(options)
  return async (c, next) => {
    const refused = foreign(c.req.raw)
    if (refused === undefined) return next()
    options.logger.info(
      { host: c.req.header('host'), origin: c.req.header('origin') },
      'refused a request: Host or Origin not allowed',
    )
    return c.json(
      {
        error: 'forbidden',
        message: `${refused}: this server answers only for its own names (DNS rebinding).`,
      },
      403,
    )
  }
}
