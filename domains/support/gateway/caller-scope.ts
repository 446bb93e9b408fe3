import { NotFoundError } from '../../../src/lib/errors.ts'
import type { ToolContext } from '../../../src/pack/tool-definition.ts'

/** The refusal for a record that does not exist or that the caller may not see: the same words. */
export function notFound(what: string): NotFoundError {
  return new NotFoundError(`No ${what} was found for you.`)
}

/**
 * What a caller may see, as a predicate on a `customers` row: staff every customer, a customer the
 * row linked to their sign-in (its auth_subject, or its email when the issuer verified it and the
 * row has no subject yet), and a job the row its channel matched (an email's sender: replies go to
 * the row's own address, never to the sender's). Its four parameters start at `$first`.
 */
export function ownRows(
  ctx: ToolContext,
  alias: string,
  first: number,
): { sql: string; params: unknown[] } {
  const [staff, sub, email, actsFor] = [
    `$${first}`,
    `$${first + 1}`,
    `$${first + 2}`,
    `$${first + 3}`,
  ]
  return {
    sql: `(${staff}::boolean OR ${alias}.auth_subject = ${sub}
           OR (${alias}.auth_subject IS NULL AND ${email}::text IS NOT NULL AND ${alias}.email = ${email})
           OR (${actsFor}::text IS NOT NULL AND ${alias}.id::text = ${actsFor}))`,
    params: [
      ctx.identity.role === 'staff',
      ctx.identity.sub,
      ctx.identity.email?.toLowerCase() ?? null,
      ctx.identity.actsFor ?? null,
    ],
  }
}
