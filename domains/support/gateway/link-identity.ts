import type { Identity } from '../../../src/auth/identity.ts'
import type { Queryable } from '../../../src/store/database.ts'

/**
 * A customer who signs in for the first time is linked to their customer row by the email their
 * issuer verified (the verifier drops an unverified one), once: from then on the row names their
 * `sub`, and a later change of email at the issuer does not lose it. A row already linked to
 * someone else is never taken over. Staff act on any customer and are linked to none.
 */
export async function linkCustomer(tx: Queryable, identity: Identity): Promise<void> {
  if (identity.role !== 'customer' || identity.email === undefined) return
  await tx.query(
    `UPDATE customers SET auth_subject = $1
     WHERE email = $2 AND auth_subject IS NULL
       AND NOT EXISTS (SELECT 1 FROM customers WHERE auth_subject = $1)`,
    [identity.sub, identity.email.toLowerCase()],
  )
}
