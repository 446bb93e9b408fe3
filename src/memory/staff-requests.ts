import { ConflictError } from '../lib/errors.ts'
import type { JsonObject } from '../lib/json.ts'
import type { ApprovalSummary } from '../protocol/approval-summary.ts'
import type { Queryable } from '../store/database.ts'

export type StaffRequestStatus = 'pending' | 'approved' | 'rejected'

/** A call put to staff instead of being run for its caller. */
export interface StaffRequest {
  id: string
  kind: string
  tool: string
  /** The call's arguments as the caller sent them (no session handle): run again on approval. */
  arguments: JsonObject
  summary: ApprovalSummary
  requestedBy: string
  conversationId: string | null
  status: StaffRequestStatus
  decidedBy: string | null
  reason: string | null
  /** What running the tool answered on approval: `{ text, data }`. */
  outcome: { text: string; data: JsonObject } | null
  decidedAt: Date | null
  reportedAt: Date | null
  createdAt: Date
}

type Row = {
  id: string
  kind: string
  tool: string
  arguments: JsonObject
  summary: ApprovalSummary
  requested_by: string
  conversation_id: string | null
  status: StaffRequestStatus
  decided_by: string | null
  reason: string | null
  outcome: { text: string; data: JsonObject } | null
  decided_at: Date | null
  reported_at: Date | null
  created_at: Date
}

const toRequest = (row: Row): StaffRequest => ({
  id: row.id,
  kind: row.kind,
  tool: row.tool,
  arguments: row.arguments,
  summary: row.summary,
  requestedBy: row.requested_by,
  conversationId: row.conversation_id,
  status: row.status,
  decidedBy: row.decided_by,
  reason: row.reason,
  outcome: row.outcome,
  decidedAt: row.decided_at,
  reportedAt: row.reported_at,
  createdAt: row.created_at,
})

/** The owner of `staff_requests`: requests recorded, listed, locked for a decision, decided. */
export const staffRequests = {
  async create(
    q: Queryable,
    request: {
      kind: string
      tool: string
      arguments: JsonObject
      summary: ApprovalSummary
      requestedBy: string
      conversationId: string | null
    },
  ): Promise<StaffRequest> {
    const { rows } = await q.query<Row>(
      `INSERT INTO staff_requests (kind, tool, arguments, summary, requested_by, conversation_id)
       VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6) RETURNING *`,
      [
        request.kind,
        request.tool,
        JSON.stringify(request.arguments),
        JSON.stringify(request.summary),
        request.requestedBy,
        request.conversationId,
      ],
    )
    return toRequest(rows[0] as Row)
  },

  async find(q: Queryable, id: string): Promise<StaffRequest | undefined> {
    const { rows } = await q.query<Row>('SELECT * FROM staff_requests WHERE id = $1', [id])
    return rows[0] === undefined ? undefined : toRequest(rows[0])
  },

  /**
   * The request, locked until the transaction ends, while it still waits: two people deciding at
   * once are served one after the other, and the second finds it decided (a conflict naming who).
   */
  async lockPending(q: Queryable, id: string): Promise<StaffRequest | undefined> {
    const { rows } = await q.query<Row>('SELECT * FROM staff_requests WHERE id = $1 FOR UPDATE', [
      id,
    ])
    const row = rows[0]
    if (row === undefined) return undefined
    if (row.status !== 'pending') {
      throw new ConflictError(
        `Request ${id} was already ${row.status} by ${row.decided_by ?? 'someone'} at ${row.decided_at?.toISOString() ?? '?'}.`,
      )
    }
    return toRequest(row)
  },

  async decide(
    q: Queryable,
    id: string,
    decision: {
      status: 'approved' | 'rejected'
      decidedBy: string
      reason: string | null
      outcome: { text: string; data: JsonObject } | null
      reported: boolean
    },
  ): Promise<StaffRequest> {
    const { rows } = await q.query<Row>(
      `UPDATE staff_requests
       SET status = $2, decided_by = $3, reason = $4, outcome = $5::jsonb, decided_at = now(),
           reported_at = CASE WHEN $6::boolean THEN now() END
       WHERE id = $1 AND status = 'pending' RETURNING *`,
      [
        id,
        decision.status,
        decision.decidedBy,
        decision.reason,
        decision.outcome === null ? null : JSON.stringify(decision.outcome),
        decision.reported,
      ],
    )
    const row = rows[0]
    if (row === undefined) throw new ConflictError(`Request ${id} is no longer waiting.`)
    return toRequest(row)
  },

  /** Waiting requests, the oldest first. */
  async pending(q: Queryable, limit = 200): Promise<StaffRequest[]> {
    const { rows } = await q.query<Row>(
      `SELECT * FROM staff_requests WHERE status = 'pending' ORDER BY created_at, id LIMIT $1`,
      [limit],
    )
    return rows.map(toRequest)
  },

  /** The requests a conversation made, oldest first. */
  async ofConversation(q: Queryable, conversationId: string): Promise<StaffRequest[]> {
    const { rows } = await q.query<Row>(
      `SELECT * FROM staff_requests WHERE conversation_id = $1 ORDER BY created_at, id`,
      [conversationId],
    )
    return rows.map(toRequest)
  },

  /**
   * Decisions the requester has not been told of yet, marked told: what `begin_session` hands
   * back to a client that is not the Worker's chat.
   */
  async takeUnreported(q: Queryable, requestedBy: string, limit = 20): Promise<StaffRequest[]> {
    const { rows } = await q.query<Row>(
      `UPDATE staff_requests SET reported_at = now()
       WHERE id IN (SELECT id FROM staff_requests
                    WHERE requested_by = $1 AND status <> 'pending' AND reported_at IS NULL
                    ORDER BY decided_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [requestedBy, limit],
    )
    return rows.map(toRequest).sort((a, b) => Number(a.decidedAt) - Number(b.decidedAt))
  },
}
