/** The signed inbound routes: raw MIME from a mail provider, events from a helpdesk or store. */
export type InboundRoute = 'email' | 'webhook'

/** Why an inbound request was refused: each is recorded, and nothing is created. */
export type InboundRefusalReason =
  | 'missing_signature'
  | 'malformed_signature'
  | 'bad_signature'
  | 'stale'
  | 'replayed'
  | 'too_large'
  | 'malformed'
  | 'unknown_kind'

/** A message as the provider received it: the raw MIME and the SMTP envelope it saw. */
export interface InboundEmail {
  raw: Uint8Array
  /** MAIL FROM as the provider saw it; null when not said. */
  mailFrom: string | null
  /** The sending server's address, for SPF; null when not said. */
  remoteIp: string | null
  /** The sending server's HELO/EHLO name; null when not said. */
  helo: string | null
  /** The signed request's digest (`verifySignature`): what `inboundReceipts.firstSight` records. */
  digest: string
}

/** An event a helpdesk or store posted: one of the pack's event kinds. */
export interface InboundEvent {
  kind: string
  /** The sender's id for the event: the same event sent twice has the same id. */
  id: string
  data: Record<string, unknown>
  digest: string
}

export interface InboundAccepted {
  /** What the request became (a job's id). */
  id: string
  /** True when the message or event had been accepted before: nothing new was created. */
  duplicate: boolean
}

export interface InboundRefusal {
  route: InboundRoute
  reason: InboundRefusalReason
  /** What was wrong, for the record; never a secret or the body. */
  detail?: string
}

/**
 * What an accepted inbound request becomes, implemented where jobs are made. `email` and
 * `webhook` record the digest (`inboundReceipts.firstSight`) in the same transaction as they
 * create the job, and throw a `ConflictError` when it was seen before (answered 409, a replay);
 * an `InvalidInputError` (a message that cannot be used) is answered 400. `refused` records a
 * refusal; it is called for every one, signed or not.
 */
export interface InboundDoor {
  email(input: InboundEmail): Promise<InboundAccepted>
  webhook(input: InboundEvent): Promise<InboundAccepted>
  refused(input: InboundRefusal): Promise<void>
}
