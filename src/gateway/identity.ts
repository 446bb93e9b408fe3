/** Who is calling, as the transport proved it: never an argument a model can fill in. */
export interface Identity {
  /** The verified subject (`sub`). */
  sub: string
  /** Staff may act on any customer; a customer only on what is theirs. */
  role: 'staff' | 'customer'
  scopes: readonly string[]
  /** A verified email claim, when the issuer gave one. */
  email?: string
}
