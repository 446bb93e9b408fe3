import { ConfigError } from '../lib/errors.ts'
import type { Identity } from './identity.ts'

/**
 * The core's scopes: `read` (look things up, begin a session), `write` (anything that changes the
 * caller's records) and `staff` (act for any customer). A domain pack adds its own for what needs
 * more than `write` (the support pack's `refund`, which moves money).
 */
export const CORE_SCOPES = ['read', 'write', 'staff'] as const

const NAME = /^[a-z][a-z0-9_-]*$/

/** What the server's tokens may carry: `read`, `write`, the pack's own scopes, then `staff`. */
export function resourceScopes(packScopes: readonly string[] = []): string[] {
  for (const scope of packScopes) {
    if (!NAME.test(scope) || (CORE_SCOPES as readonly string[]).includes(scope)) {
      throw new ConfigError(
        `a pack's scope is a new lower-case word, not one of ${CORE_SCOPES.join(', ')} (got ${JSON.stringify(scope)})`,
      )
    }
  }
  return ['read', 'write', ...new Set(packScopes), 'staff']
}

/** What a role may have of `scopes`: every one for staff, all but `staff` for a customer. */
export function scopesFor(
  role: Identity['role'],
  scopes: readonly string[] = resourceScopes(),
): string[] {
  return role === 'staff' ? [...scopes] : scopes.filter((s) => s !== 'staff')
}

/** The error text of a call refused for want of `scope`, the same on every transport. */
export function missingScopeMessage(scope: string, what: string): string {
  return (
    `${what} needs the "${scope}" scope, which this sign-in did not grant. ` +
    `Sign in again asking for "${scope}" (an MCP client does this by itself), or use an account that may have it.`
  )
}
