import { z } from 'zod'
import { boolean, problem, setting } from '../settings.ts'

/** The domain pack served, e.g. `support`; one of `domains` (the packs this build ships) if given. */
export const domainSection = (domains: readonly string[] | undefined) =>
  z
    .object({
      FTE_DOMAIN: setting(
        z
          .string()
          .regex(/^[a-z][a-z0-9-]*$/, { error: 'must be a domain pack name such as support' }),
        'support',
      ),
    })
    .transform((e, ctx) => {
      if (domains !== undefined && !domains.includes(e.FTE_DOMAIN)) {
        problem(
          ctx,
          'FTE_DOMAIN',
          `no domain pack named ${e.FTE_DOMAIN} (available: ${domains.join(', ')})`,
        )
      }
      return e.FTE_DOMAIN
    })

/** Load the domain pack's demo data when it is missing. */
export const demoDataSection = z
  .object({ FTE_DEMO_DATA: setting(boolean, true) })
  .transform((e) => e.FTE_DEMO_DATA)
