import type { Queryable } from '../store/database.ts'

export type RunStatus = 'done' | 'failed' | 'handed_over'

/** How a run ended, and what it spent. */
export interface RunEnd {
  status: RunStatus
  /** A stable code: why it failed or went to a person (`step_limit`, `outside_envelope`, …). */
  reason?: string | undefined
  detail?: string | undefined
  conversationId?: string | null | undefined
  inputTokens?: number | undefined
  outputTokens?: number | undefined
  costUsd?: number | null | undefined
  steps?: number | undefined
}

/** A run handed to a person and not yet dealt with, as the staff inbox lists it. */
export interface HandedOverRun {
  id: number
  trigger: string
  reason: string | null
  detail: string | null
  conversationId: string | null
  /** What it worked on: `email:<id>`, or an event's or finding's key. */
  about: string | null
  startedAt: Date
}

/** A run that ended, as an operator reads the queue's history. */
export interface FinishedRun {
  id: number
  jobId: number
  attempt: number
  task: string
  trigger: string
  status: RunStatus
  reason: string | null
  detail: string | null
  finishedAt: Date
}

/** Each run (attempt) of a job: the history the queue does not keep, and the day's spending. */
export const jobRuns = {
  async begin(
    q: Queryable,
    run: { jobId: number; attempt: number; task: string; trigger: string; about: string | null },
  ): Promise<number> {
    const { rows } = await q.query<{ id: number }>(
      `INSERT INTO job_runs (job_id, attempt, task, trigger, about) VALUES ($1, $2, $3, $4, $5)
       RETURNING id`,
      [run.jobId, run.attempt, run.task, run.trigger, run.about],
    )
    return Number(rows[0]?.id)
  },

  async end(q: Queryable, id: number, end: RunEnd): Promise<void> {
    await q.query(
      `UPDATE job_runs SET status = $2, reason = $3, detail = left($4, 2000), finished_at = now(),
         conversation_id = coalesce($5, conversation_id), input_tokens = $6, output_tokens = $7,
         cost_usd = $8, steps = $9
       WHERE id = $1`,
      [
        id,
        end.status,
        end.reason ?? null,
        end.detail ?? null,
        end.conversationId ?? null,
        end.inputTokens ?? 0,
        end.outputTokens ?? 0,
        end.costUsd ?? 0,
        end.steps ?? 0,
      ],
    )
  },

  /**
   * Tokens and USD spent today (UTC) by the jobs of `trigger`, in every process: what ended runs
   * spent, and what running ones hold in reserve.
   */
  async spentToday(q: Queryable, trigger: string): Promise<{ tokens: number; usd: number }> {
    const { rows } = await q.query<{ tokens: number; usd: string }>(
      `SELECT coalesce(sum(CASE WHEN status = 'running' THEN reserved_tokens
                                ELSE input_tokens + output_tokens END), 0)::int8 AS tokens,
              coalesce(sum(cost_usd), 0)::text AS usd
       FROM job_runs
       WHERE trigger = $1 AND started_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`,
      [trigger],
    )
    return { tokens: Number(rows[0]?.tokens ?? 0), usd: Number(rows[0]?.usd ?? 0) }
  },

  /** An admitted run holds `tokens` of the day's budget until it ends. */
  async reserve(q: Queryable, id: number, tokens: number): Promise<void> {
    await q.query('UPDATE job_runs SET reserved_tokens = $2 WHERE id = $1', [id, tokens])
  },

  async handedOver(q: Queryable, limit = 200): Promise<HandedOverRun[]> {
    const { rows } = await q.query<{
      id: number
      trigger: string
      reason: string | null
      detail: string | null
      conversation_id: string | null
      about: string | null
      started_at: Date
    }>(
      `SELECT id, trigger, reason, detail, conversation_id, about, started_at FROM job_runs
       WHERE status = 'handed_over' AND resolved_at IS NULL ORDER BY started_at, id LIMIT $1`,
      [limit],
    )
    return rows.map((row) => ({
      id: Number(row.id),
      trigger: row.trigger,
      reason: row.reason,
      detail: row.detail,
      conversationId: row.conversation_id,
      about: row.about,
      startedAt: row.started_at,
    }))
  },

  /** A person dealt with a run handed to them: it leaves the inbox. False when it was not there. */
  async resolve(q: Queryable, id: number, by: string): Promise<boolean> {
    const { rowCount } = await q.query(
      `UPDATE job_runs SET resolved_by = $2, resolved_at = now()
       WHERE id = $1 AND status = 'handed_over' AND resolved_at IS NULL`,
      [id, by],
    )
    return rowCount > 0
  },

  /** The latest runs that ended, the latest begun first (by id: the primary key's index). */
  async recent(q: Queryable, limit = 10): Promise<FinishedRun[]> {
    const { rows } = await q.query<{
      id: number
      job_id: number
      attempt: number
      task: string
      trigger: string
      status: RunStatus
      reason: string | null
      detail: string | null
      finished_at: Date
    }>(
      `SELECT id, job_id, attempt, task, trigger, status, reason, detail, finished_at FROM job_runs
       WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT $1`,
      [limit],
    )
    return rows.map((row) => ({
      id: Number(row.id),
      jobId: Number(row.job_id),
      attempt: row.attempt,
      task: row.task,
      trigger: row.trigger,
      status: row.status,
      reason: row.reason,
      detail: row.detail,
      finishedAt: row.finished_at,
    }))
  },
}

/** Work done once per key (a webhook event, a schedule's finding), and the conversation it opened. */
export const jobOnce = {
  /** True the first time `key` is seen, false ever after. */
  async claim(q: Queryable, key: string): Promise<boolean> {
    const { rowCount } = await q.query(
      'INSERT INTO job_once (key) VALUES ($1) ON CONFLICT (key) DO NOTHING',
      [key],
    )
    return rowCount > 0
  },

  /** The conversation a previous try opened for `key`, and whether its reply was stored. */
  async state(
    q: Queryable,
    key: string,
  ): Promise<{ conversationId: string | null; replied: boolean }> {
    const { rows } = await q.query<{ conversation_id: string | null; replied: boolean }>(
      'SELECT conversation_id, replied_at IS NOT NULL AS replied FROM job_once WHERE key = $1 FOR UPDATE',
      [key],
    )
    return { conversationId: rows[0]?.conversation_id ?? null, replied: rows[0]?.replied ?? false }
  },

  /** `key`'s work opened `conversationId`. */
  async open(q: Queryable, key: string, conversationId: string): Promise<void> {
    await q.query(
      `INSERT INTO job_once (key, conversation_id) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET conversation_id = EXCLUDED.conversation_id`,
      [key, conversationId],
    )
  },

  /** `key`'s reply is stored (in the reply's transaction). */
  async replied(q: Queryable, key: string): Promise<void> {
    await q.query('UPDATE job_once SET replied_at = now() WHERE key = $1', [key])
  },
}
