import { handoffs } from '../memory/handoffs.ts'
import { inboxClaims } from '../memory/inbox-claims.ts'
import { type PersonName, people } from '../memory/people.ts'
import { staffRequests } from '../memory/staff-requests.ts'
import type { InboxActionField, InboxSource } from '../pack/staff-contract.ts'
import type { Queryable } from '../store/database.ts'

/** One item of the staff inbox, whatever its kind. */
export interface InboxItem {
  /** `<kind>:<key>`. */
  id: string
  kind: string
  kindLabel: string
  title: string
  lines: ReadonlyArray<{ label: string; value: string }>
  /** Free text the Worker wrote, shown apart as its words. */
  modelText: ReadonlyArray<{ label: string; text: string }>
  customer: PersonName | null
  conversationId: string | null
  createdAt: Date
  claimedBy: PersonName | null
  claimedAt: Date | null
  actions: ReadonlyArray<{ name: string; label: string; fields: readonly InboxActionField[] }>
}

/**
 * The staff inbox, the oldest first: requests waiting for a staff decision, conversations a
 * person holds, and the pack's own kinds (support: escalated tickets), each with who claimed it.
 */
export async function listInbox(
  db: Queryable,
  sources: readonly InboxSource[],
): Promise<InboxItem[]> {
  const [pending, held, claims, packed] = await Promise.all([
    staffRequests.pending(db),
    handoffs.held(db),
    inboxClaims.all(db),
    Promise.all(sources.map(async (source) => ({ source, entries: await source.list(db) }))),
  ])
  const names = await people.names(db, [
    ...pending.map((r) => r.requestedBy),
    ...held.flatMap((h) => [h.userId, h.heldBy]),
    ...[...claims.values()].map((claim) => claim.claimedBy),
    ...packed.flatMap(({ entries }) =>
      entries.flatMap((e) => (e.customer === null ? [] : [e.customer])),
    ),
  ])
  const person = (sub: string): PersonName => names.get(sub) ?? { sub, name: sub, email: null }
  const claimOf = (id: string) => {
    const claim = claims.get(id)
    return claim === undefined
      ? { claimedBy: null, claimedAt: null }
      : { claimedBy: person(claim.claimedBy), claimedAt: claim.claimedAt }
  }
  const items: InboxItem[] = [
    ...pending.map((request) => ({
      id: `request:${request.id}`,
      kind: 'request',
      kindLabel: 'Waiting for a decision',
      title: request.summary.title,
      lines: request.summary.lines,
      modelText: request.summary.model_text,
      customer: person(request.requestedBy),
      conversationId: request.conversationId,
      createdAt: request.createdAt,
      ...claimOf(`request:${request.id}`),
      actions: [
        { name: 'approve', label: 'Approve', fields: [reasonField(false)] },
        { name: 'reject', label: 'Reject', fields: [reasonField(true)] },
      ],
    })),
    ...held.map((hold) => ({
      id: `conversation:${hold.conversationId}`,
      kind: 'conversation',
      kindLabel: 'Held by a person',
      title: `Conversation with ${person(hold.userId).name}`,
      lines: [{ label: 'Held by', value: person(hold.heldBy).name }],
      modelText: [],
      customer: person(hold.userId),
      conversationId: hold.conversationId,
      createdAt: hold.since,
      ...claimOf(`conversation:${hold.conversationId}`),
      actions: [{ name: 'release', label: 'Hand back to the Worker', fields: [] }],
    })),
    ...packed.flatMap(({ source, entries }) =>
      entries.map((entry) => ({
        id: `${source.kind}:${entry.key}`,
        kind: source.kind,
        kindLabel: source.label,
        title: entry.title,
        lines: entry.lines,
        modelText: [],
        customer: entry.customer === null ? null : person(entry.customer),
        conversationId: entry.conversationId,
        createdAt: entry.createdAt,
        ...claimOf(`${source.kind}:${entry.key}`),
        actions: source.actions.map(({ name, label, fields }) => ({ name, label, fields })),
      })),
    ),
  ].sort((a, b) => Number(new Date(a.createdAt)) - Number(new Date(b.createdAt)))
  return items
}

function reasonField(required: boolean): InboxActionField {
  return { name: 'reason', label: 'Reason', type: 'text', required }
}
