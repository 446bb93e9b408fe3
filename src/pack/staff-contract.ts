import type { z } from 'zod'
import type { AuditEntry } from '../audit/audit-writer.ts'
import type { Identity } from '../auth/identity.ts'
import type { Queryable } from '../store/database.ts'

/** One item of an inbox kind, as staff see it in the list. */
export interface InboxEntry {
  /** Unique within its kind: letters, digits and . _ : - (a ticket number, a UUID). */
  key: string
  title: string
  lines: ReadonlyArray<{ label: string; value: string }>
  /** The verified subject of the customer it concerns, when known. */
  customer: string | null
  conversationId: string | null
  createdAt: Date
}

export interface InboxActionField {
  name: string
  label: string
  type: 'text' | 'choice'
  choices?: readonly string[]
  required: boolean
}

/** What a staff action runs with: its transaction, the staff member, and the audit trail. */
export interface StaffActionContext {
  tx: Queryable
  identity: Identity
  /** Appends an audit row in the action's transaction (actor: the staff member). */
  record(entry: Omit<AuditEntry, 'invocationId' | 'actor'>): Promise<number>
}

/** Something staff do to an item of a pack's kind (resolve a ticket, give it to another team). */
export interface InboxAction<S extends z.ZodObject = z.ZodObject> {
  name: string
  label: string
  fields: readonly InboxActionField[]
  /** Strict; what the fields submit. */
  input: S
  /** Runs the action; `done`: the item leaves the inbox. A caller's error refuses it. */
  run(
    context: StaffActionContext,
    key: string,
    input: z.output<S>,
  ): Promise<{ message: string; done: boolean }>
}

/** An inbox kind a pack adds to the core's (requests waiting for staff, held conversations). */
export interface InboxSource {
  /** Lower-case identifier: the items' ids are `<kind>:<key>`. */
  kind: string
  /** What the inbox calls items of this kind ("Escalated tickets"). */
  label: string
  /** The items open now, the oldest first. */
  list(q: Queryable): Promise<InboxEntry[]>
  actions: readonly InboxAction[]
}

/**
 * A figure of the staff metrics page: one SQL query an operator can run themselves, with the
 * period as `$1` (from, inclusive) and `$2` (to, exclusive), both timestamptz. It returns rows of
 * `label` (text) and `value` (a number or NULL): one row for a single figure, one per category
 * for a breakdown, one per day (`label` 'YYYY-MM-DD') for a series.
 */
export interface MetricDefinition {
  name: string
  title: string
  /** What it counts, and how, in a sentence or two (shown beside the query). */
  description: string
  unit: 'count' | 'percent' | 'usd' | 'ms' | 'tokens'
  shape: 'single' | 'breakdown' | 'series'
  sql: string
}

/** The pack's part of the staff console. */
export interface StaffPack {
  inbox?: readonly InboxSource[]
  metrics?: readonly MetricDefinition[]
  /**
   * Audit actions meaning a person had to step in (support: `ticket_escalated`), beside the
   * core's handoffs and staff requests: a conversation with one was not resolved by the Worker alone.
   */
  personActions?: readonly string[]
}

/** An action, its input checked against its own schema, as an element of a list. */
export function defineAction<S extends z.ZodObject>(action: InboxAction<S>): InboxAction {
  return action as unknown as InboxAction
}
