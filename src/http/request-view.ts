import { handoffs } from '../memory/handoffs.ts'
import { people } from '../memory/people.ts'
import type { StaffRequest } from '../memory/staff-requests.ts'
import type { Database, Queryable } from '../store/database.ts'

/** A person as the API shows them: subject and name. */
export async function personView(
  db: Queryable,
  sub: string,
): Promise<{ sub: string; name: string }> {
  const found = (await people.names(db, [sub])).get(sub)
  return { sub, name: found?.name ?? sub }
}

/** Who holds the conversation, as the API shows them; undefined when the Worker answers it. */
export async function holderView(
  db: Database,
  conversationId: string,
): Promise<{ sub: string; name: string } | undefined> {
  const hold = await handoffs.holder(db, conversationId)
  return hold === undefined ? undefined : personView(db, hold.heldBy)
}

/** A staff request as both sides read it: what was asked, and what became of it. */
export async function requestView(db: Queryable, request: StaffRequest) {
  return {
    id: request.id,
    kind: request.kind,
    status: request.status,
    summary: request.summary,
    createdAt: request.createdAt,
    decidedAt: request.decidedAt,
    decidedBy: request.decidedBy === null ? null : await personView(db, request.decidedBy),
    reason: request.reason,
    outcome: request.outcome?.text ?? null,
  }
}
