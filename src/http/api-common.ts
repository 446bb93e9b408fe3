import type { Context } from 'hono'
import type { Identity } from '../auth/identity.ts'
import { FteError } from '../lib/errors.ts'

/** What every `/api` handler knows: who the bearer token proved the caller is. */
export type ApiEnv = { Variables: { identity: Identity } }

/** A JSON error with a stable code: what every refusal of this API looks like. */
export function apiError(
  c: Context,
  status: 400 | 403 | 404 | 409 | 413 | 429 | 503,
  error: string,
  message: string,
) {
  return c.json({ error, message }, status)
}

/**
 * The one place a thrown error becomes an API answer: a caller's error as its code's status and
 * its message (it is written to be shown); anything else is rethrown, for the app's 500.
 */
export function errorResponse(c: Context, error: unknown): Response {
  if (error instanceof FteError && error.fault === 'caller') {
    const status =
      error.code === 'not_found'
        ? 404
        : error.code === 'forbidden'
          ? 403
          : error.code === 'conflict'
            ? 409
            : 400
    return apiError(c, status, error.code, error.message)
  }
  throw error
}

/** Staff only: anyone else gets 403, whatever the route. */
export async function staffOnly(c: Context<ApiEnv>, next: () => Promise<void>) {
  if (c.get('identity').role !== 'staff') {
    return apiError(c, 403, 'forbidden', 'This is for support staff only.')
  }
  return next()
}
