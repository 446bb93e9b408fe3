import type { MiddlewareHandler } from 'hono'

const READS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * 415 for a request with a body that does not say it is JSON (`application/json`, parameters such
 * as `charset` allowed). A page on another site can send `text/plain` without a CORS preflight;
 * it cannot send `application/json` so. Routes authenticated by a signature (webhooks) leave it
 * out.
 */
export function jsonBodiesOnly(): MiddlewareHandler {
  return async (c, next) => {
    if (READS.has(c.req.method)) return next()
    const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase()
    if (type === 'application/json') return next()
    return c.json(
      {
        error: 'unsupported_media_type',
        message: 'The body must be JSON, sent with Content-Type: application/json.',
      },
      415,
    )
  }
}
