import type { ApprovalSummary } from '../protocol/approval-summary.ts'
import type { Database, Queryable } from '../store/database.ts'

export interface PendingApproval {
  id: string
  runId: string
  conversationId: string
  callId: string
  tool: string
  arguments: Record<string, unknown>
  /** What the person approves, as the gateway built it; null: it could not be (reject only). */
  summary: ApprovalSummary | null
  createdAt: Date
}

export interface ClaimedRun {
  id: string
  conversationId: string
  userId: string
  state: string
  grounding: string[]
  /** The actions the run's calls did before it paused (claims a reply may then make). */
  done: string[]
  decisions: Array<{
    callId: string
    decision: 'approved' | 'rejected'
    reason: string | null
    /** What the person was shown and decided on. */
    summary: ApprovalSummary | null
  }>
}

/**
 * The one definition of "an approval still waiting": undecided, on a run that waits (`a` the
 * approval, `r` its run). Every query that shows, counts or decides one uses it.
 */
export const APPROVAL_WAITING = `r.status = 'waiting' AND a.decision IS NULL`

/** Runs paused for approval, and the approvals they wait for, in Postgres. */
export const runStore = {
  async pause(
    db: Database,
    run: {
      conversationId: string
      userId: string
      state: string
      grounding: string[]
      done: string[]
      traceId: string | undefined
      calls: Array<{
        callId: string
        tool: string
        arguments: Record<string, unknown>
        summary: ApprovalSummary | null
      }>
    },
  ): Promise<PendingApproval[]> {
    return db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        `INSERT INTO agent_runs (conversation_id, user_id, state, grounding, actions_done, trace_id)
         VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6) RETURNING id`,
        [
          run.conversationId,
          run.userId,
          run.state,
          JSON.stringify(run.grounding),
          JSON.stringify(run.done),
          run.traceId ?? null,
        ],
      )
      const runId = rows[0]?.id as string
      const approvals: PendingApproval[] = []
      for (const call of run.calls) {
        const { rows: made } = await tx.query<{ id: string; created_at: Date }>(
          `INSERT INTO approvals (run_id, conversation_id, call_id, tool, arguments, summary)
           VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb) RETURNING id, created_at`,
          [
            runId,
            run.conversationId,
            call.callId,
            call.tool,
            JSON.stringify(call.arguments),
            call.summary === null ? null : JSON.stringify(call.summary),
          ],
        )
        const row = made[0] as { id: string; created_at: Date }
        approvals.push({
          id: row.id,
          runId,
          conversationId: run.conversationId,
          callId: call.callId,
          tool: call.tool,
          arguments: call.arguments,
          summary: call.summary,
          createdAt: row.created_at,
        })
      }
      return approvals
    })
  },

  /** The approvals still waiting in one conversation (or all of a user's), oldest first. */
  async pending(
    db: Queryable,
    where: { userId: string; conversationId?: string },
  ): Promise<PendingApproval[]> {
    const { rows } = await db.query<{
      id: string
      run_id: string
      conversation_id: string
      call_id: string
      tool: string
      arguments: Record<string, unknown>
      summary: ApprovalSummary | null
      created_at: Date
    }>(
      `SELECT a.id, a.run_id, a.conversation_id, a.call_id, a.tool, a.arguments, a.summary,
              a.created_at
       FROM approvals a JOIN agent_runs r ON r.id = a.run_id
       WHERE r.user_id = $1 AND ($2::uuid IS NULL OR a.conversation_id = $2)
         AND ${APPROVAL_WAITING}
       ORDER BY a.created_at, a.id`,
      [where.userId, where.conversationId ?? null],
    )
    return rows.map((row) => ({
      id: row.id,
      runId: row.run_id,
      conversationId: row.conversation_id,
      callId: row.call_id,
      tool: row.tool,
      arguments: row.arguments,
      summary: row.summary,
      createdAt: row.created_at,
    }))
  },

  /**
   * Records a decision on a waiting approval of `userId`'s. Undefined when there is no such
   * approval, it is someone else's, or it was decided already; `undescribed` when it is approved
   * but has no summary (nobody saw what it does, so it can only be rejected).
   */
  async decide(
    db: Queryable,
    decision: {
      approvalId: string
      userId: string
      decision: 'approved' | 'rejected'
      by: string
      reason: string | undefined
    },
  ): Promise<
    | {
        runId: string
        conversationId: string
        tool: string
        summary: ApprovalSummary | null
        waiting: number
      }
    | 'undescribed'
    | undefined
  > {
    const { rows } = await db.query<{
      run_id: string
      conversation_id: string
      tool: string
      summary: ApprovalSummary | null
      waiting: number
      undescribed: boolean
    }>(
      `WITH decided AS (
         UPDATE approvals a SET decision = $3, decided_by = $4, reason = $5, decided_at = now()
         FROM agent_runs r
         WHERE a.id = $1 AND r.id = a.run_id AND r.user_id = $2 AND ${APPROVAL_WAITING}
           AND (a.summary IS NOT NULL OR $3 = 'rejected')
         RETURNING a.run_id, a.conversation_id, a.tool, a.summary
       )
       SELECT d.run_id, d.conversation_id, d.tool, d.summary, false AS undescribed,
         (SELECT count(*)::int FROM approvals o
          WHERE o.run_id = d.run_id AND o.decision IS NULL AND o.id <> $1) AS waiting
       FROM decided d
       UNION ALL
       SELECT NULL, NULL, NULL, NULL, true, 0
       FROM approvals a JOIN agent_runs r ON r.id = a.run_id
       WHERE a.id = $1 AND r.user_id = $2 AND ${APPROVAL_WAITING}
         AND a.summary IS NULL AND $3 = 'approved'`,
      [
        decision.approvalId,
        decision.userId,
        decision.decision,
        decision.by,
        decision.reason ?? null,
      ],
    )
    const row = rows[0]
    if (row === undefined) return undefined
    if (row.undescribed) return 'undescribed'
    return {
      runId: row.run_id,
      conversationId: row.conversation_id,
      tool: row.tool,
      summary: row.summary,
      waiting: row.waiting,
    }
  },

  /** The conversation an approval belongs to, whoever's it is and whatever its state. */
  async conversationOf(db: Queryable, approvalId: string): Promise<string | undefined> {
    const { rows } = await db.query<{ conversation_id: string }>(
      'SELECT conversation_id FROM approvals WHERE id = $1',
      [approvalId],
    )
    return rows[0]?.conversation_id
  },

  /** The approval, when it is the user's and still waiting. */
  async waiting(
    db: Queryable,
    userId: string,
    approvalId: string,
  ): Promise<{ conversationId: string; tool: string; described: boolean } | undefined> {
    const { rows } = await db.query<{ conversation_id: string; tool: string; described: boolean }>(
      `SELECT a.conversation_id, a.tool, a.summary IS NOT NULL AS described
       FROM approvals a JOIN agent_runs r ON r.id = a.run_id
       WHERE a.id = $1 AND r.user_id = $2 AND ${APPROVAL_WAITING}`,
      [approvalId, userId],
    )
    const row = rows[0]
    return row === undefined
      ? undefined
      : { conversationId: row.conversation_id, tool: row.tool, described: row.described }
  },

  /** Takes a fully decided run for resuming; only one caller gets it. */
  async claim(db: Queryable, runId: string): Promise<ClaimedRun | undefined> {
    const { rows } = await db.query<{
      id: string
      conversation_id: string
      user_id: string
      state: string
      grounding: string[]
      actions_done: string[]
    }>(
      `UPDATE agent_runs SET status = 'resuming', updated_at = now()
       WHERE id = $1 AND status = 'waiting'
         AND NOT EXISTS (SELECT 1 FROM approvals WHERE run_id = $1 AND decision IS NULL)
       RETURNING id, conversation_id, user_id, state, grounding, actions_done`,
      [runId],
    )
    const run = rows[0]
    if (run === undefined) return undefined
    const { rows: decisions } = await db.query<{
      call_id: string
      decision: 'approved' | 'rejected'
      reason: string | null
      summary: ApprovalSummary | null
    }>('SELECT call_id, decision, reason, summary FROM approvals WHERE run_id = $1', [runId])
    return {
      id: run.id,
      conversationId: run.conversation_id,
      userId: run.user_id,
      state: run.state,
      grounding: run.grounding,
      done: run.actions_done,
      decisions: decisions.map((d) => ({
        callId: d.call_id,
        decision: d.decision,
        reason: d.reason,
        summary: d.summary,
      })),
    }
  },

  async finish(db: Queryable, runId: string, status: 'finished' | 'failed'): Promise<void> {
    await db.query('UPDATE agent_runs SET status = $2, updated_at = now() WHERE id = $1', [
      runId,
      status,
    ])
  },
}
