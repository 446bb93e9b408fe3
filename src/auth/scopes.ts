import type { Identity } from '../gateway/identity.ts'

/** What the gateway's tokens may carry: read, write, refund, and staff (act on any customer). */
export const RESOURCE_SCOPES = ['read', 'write', 'refund', 'staff'] as const

/** What a role may have: everything for staff, all but `staff` for a customer. */
export function scopesFor(role: Identity['role']): string[] {
  return role === 'staff' ? [...RESOURCE_SCOPES] : RESOURCE_SCOPES.filter((s) => s !== 'staff')
}
