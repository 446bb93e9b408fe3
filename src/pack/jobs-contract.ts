import type { z } from 'zod'
import type { Queryable } from '../store/database.ts'

/**
 * A record of the pack's that a job acts for and writes to (support: a customer), as its channel
 * hook found it. An email's sender is never proof of who wrote: the pack decides which record an
 * address matches, and replies go to the record's own address, whatever the email asked.
 */
export interface ChannelRecord {
  /** The pack's key for it (support: the customer row's id); what `actsFor` carries. */
  key: string
  /** Where replies to it go. */
  address: string
  name: string | null
}

/** A trigger's limits as a pack declares them; configuration may narrow or widen them. */
export interface EnvelopeDefaults {
  /** Gateway tools a job of this trigger may call (`begin_session` is always allowed). */
  tools: readonly string[]
  /** Model calls per job. */
  maxSteps?: number
  /** Tokens per job and per day (every job of the trigger, every process). */
  tokensPerJob?: number
  tokensPerDay?: number
  /** USD per job and per day, when the model has a price. */
  usdPerJob?: number
  usdPerDay?: number
}

/** What the Worker is asked to do about an event or a scheduled finding, for which record. */
export interface JobWork {
  /** The record the job acts for; its address gets the reply. */
  record: string
  /** The Worker's instructions: what happened, and what to find out and tell. */
  message: string
  /** The subject of the email the reply starts, when it starts a thread. */
  subject: string
}

/** An event a helpdesk or store posts to the webhook endpoint, and the work it becomes. */
export interface WebhookEvent<S extends z.ZodObject = z.ZodObject> {
  /** `<source>.<event>`, lower case: what the sender puts in `kind`. */
  kind: string
  /** Its `data`, strict. */
  data: S
  /** The work, or undefined when there is nothing for the Worker to do (recorded as done). */
  work(tx: Queryable, data: z.output<S>): Promise<JobWork | undefined>
}

/** A recurring look at the pack's records: each finding becomes a job of its own. */
export interface PackSchedule {
  /** Lower case; its trigger is `schedule:<name>`. */
  name: string
  /** Cron (minute hour day month weekday, UTC). */
  cron: string
  /** What it finds now; `key` makes each finding one job however often the schedule runs. */
  find(tx: Queryable, now: Date): Promise<Array<JobWork & { key: string }>>
}

/** The pack's part of the Worker's own work. */
export interface JobsPack {
  /** The record an email sender's address matches, if any. */
  matchSender(tx: Queryable, address: string): Promise<ChannelRecord | undefined>
  /** A record by its key (a webhook's or a schedule's work names one). */
  record(tx: Queryable, key: string): Promise<ChannelRecord | undefined>
  /** Envelope defaults by trigger: `email`, `webhook:<kind>`, `schedule:<name>`. */
  envelopes: Readonly<Record<string, EnvelopeDefaults>>
  webhooks?: readonly WebhookEvent[]
  schedules?: readonly PackSchedule[]
}

/** A webhook event kind, its data checked against its own schema, as an element of a list. */
export function defineWebhookEvent<S extends z.ZodObject>(event: WebhookEvent<S>): WebhookEvent {
  return event as unknown as WebhookEvent
}
