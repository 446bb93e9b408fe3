/**
 * Subjects the core gives the jobs it runs (`job|<record>`): a sign-in whose token names one is
 * refused, so no one can sign in as a job and own its conversations.
 */
export const JOB_SUBJECT_PREFIX = 'job|'

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
  /**
   * Set only by the core for a job's turn, never from a token: the tools its envelope of
   * authority allows (the gateway refuses every other with `outside_envelope`), and the trigger
   * whose envelope it is.
   */
  envelope?: { trigger: string; tools: readonly string[] }
  /**
   * Set only by the core for a job's turn: the pack's record the job acts for (the customer an
   * email's sender matched), as the pack's own channel hook named it. A pack may let it stand in
   * for a verified email when it decides what is the caller's.
   */
  actsFor?: string
}
