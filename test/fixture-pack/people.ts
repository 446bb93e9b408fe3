import type { DevAccount } from '../../src/auth/dev-server.ts'
import type { Identity } from '../../src/auth/identity.ts'
import { resourceScopes, scopesFor } from '../../src/auth/scopes.ts'
import { FIXTURE_SCOPES } from './scopes.ts'

/** The fixture's demo people: two who book rooms, and one of staff. */
export const FIXTURE_PEOPLE: readonly DevAccount[] = [
  { sub: 'demo|ada-park', name: 'Ada Park', email: 'ada.park@example.com', role: 'customer' },
  { sub: 'demo|ben-cole', name: 'Ben Cole', email: 'ben.cole@example.com', role: 'customer' },
  { sub: 'demo|rosa-staff', name: 'Rosa (staff)', email: 'rosa@example.com', role: 'staff' },
]

/** A demo person as the gateway sees them once signed in: every scope of their role. */
function signedIn(sub: string): Identity {
  const person = FIXTURE_PEOPLE.find((p) => p.sub === sub)
  if (person === undefined) throw new Error(`${sub} is not a fixture person`)
  return {
    sub: person.sub,
    role: person.role,
    scopes: scopesFor(person.role, resourceScopes(Object.keys(FIXTURE_SCOPES))),
  }
}

export const ADA = signedIn('demo|ada-park')
export const BEN = signedIn('demo|ben-cole')
export const ROSA = signedIn('demo|rosa-staff')
