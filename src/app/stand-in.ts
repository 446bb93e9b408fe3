import type { Identity } from '../auth/identity.ts'
import { scopesFor } from '../auth/scopes.ts'
import { packScopes } from '../pack/domain-pack.ts'
import type { Runtime } from './runtime.ts'

/** Who acts when nobody has signed in: a subject given by the configuration, or else the pack's. */
const NOBODY_IN_PARTICULAR = 'local|demo'

/**
 * The stand-in user of AUTH_DISABLED: AUTH_DISABLED_SUB, or the pack's demo person of
 * AUTH_DISABLED_ROLE, with every scope of that role. Undefined when authentication is on.
 */
export function standIn({ config, pack }: Runtime): Identity | undefined {
  const { disabled } = config.auth
  if (disabled === undefined) return undefined
  return {
    sub: disabled.sub ?? pack.demoPeople?.[disabled.role] ?? NOBODY_IN_PARTICULAR,
    role: disabled.role,
    scopes: scopesFor(disabled.role, packScopes(pack)),
  }
}
