/** Who is calling, as the transport proved it: never an argument a model can fill in. */
export interface Identity {
  /** The verified subject (`sub`). */
  sub: string
  /** Staff may act on any customer; a customer only on what is theirs. */
  role: 'staff' | 'customer'
  scopes: readonly string[]
  /**
   * An email the issuer verified (`email_verified: true`), and only then: consumers link a customer
   * record by it without checking anything more, so whatever builds an identity must leave it out
   * when the verification is not there.
   */
  email?: string
  /** The person's name as the issuer gives it (`name`), for people to read; never for decisions. */
  name?: string
}
