import type { Identity } from './identity.ts'

/**
 * What the server's tokens may carry: `read` (look things up, begin a session), `write` (notes,
 * tickets, escalations, saved state), `refund` (move money), and `staff` (act on any customer).
 */
export const RESOURCE_SCOPES = ['read', 'write', 'refund', 'staff'] as const

export type ResourceScope = (typeof RESOURCE_SCOPES)[number]

/** What a role may have: everything for staff, all but `staff` for a customer. */
export function scopesFor(role: Identity['role']): ResourceScope[] {
  return role === 'staff' ? [...RESOURCE_SCOPES] : RESOURCE_SCOPES.filter((s) => s !== 'staff')
}

/** The error text of a call refused for want of `scope`, the same on every transport. */
export function missingScopeMessage(scope: string, what: string): string {
  return (
    `${what} needs the "${scope}" scope, which this sign-in did not grant. ` +
    `Sign in again asking for "${scope}" (an MCP client does this by itself), or use an account that may have it.`
  )
}
