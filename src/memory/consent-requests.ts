import { createHash } from 'node:crypto'
import { type AuditEntry, writeAudit } from '../audit/audit-writer.ts'
import type { JsonObject } from '../lib/json.ts'
import type { ApprovalSummary } from '../protocol/approval-summary.ts'
import type { Database } from '../store/database.ts'

/** How a person answered the gateway's question about a call. */
export type ConsentAnswer = 'accepted' | 'declined' | 'cancelled' | 'no_answer'

/** The call a question is about: the answer holds for this caller, tool and arguments only. */
export interface ConsentCall {
  askedOf: string
  tool: string
  arguments: JsonObject
  conversationId: string | null
}

/** A question whose answer was taken, or closed unanswered. */
export interface AnsweredConsent {
  id: string
  tool: string
  askedOf: string
  conversationId: string | null
  answer: ConsentAnswer
}

/** The arguments' digest: keys sorted, so the same call digests the same on every round. */
export function argumentsDigest(args: JsonObject): string {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : typeof value === 'object' && value !== null
        ? Object.fromEntries(
            Object.keys(value)
              .sort()
              .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
          )
        : value
  return createHash('sha256')
    .update(JSON.stringify(canonical(args)))
    .digest('hex')
}

/** Who caused a question or its answer, for the audit row: the call's trace. */
export interface ConsentTrace {
  traceId?: string | undefined
}

/**
 * The gateway's questions and their answers. Each write and its audit row (`consent_asked`,
 * `consent_given`, `consent_declined`) commit together: no answer is taken unrecorded.
 */
export const consentRequests = {
  /** Records a question put to a person; its id is the call's binding. */
  async ask(
    db: Database,
    call: ConsentCall,
    summary: ApprovalSummary,
    audit: ConsentTrace & { era: string },
  ): Promise<string> {
    return db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        `INSERT INTO consent_requests (asked_of, tool, arguments_digest, conversation_id, summary)
         VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING id`,
        [
          call.askedOf,
          call.tool,
          argumentsDigest(call.arguments),
          call.conversationId,
          JSON.stringify(summary),
        ],
      )
      const id = (rows[0] as { id: string }).id
      await writeAudit(tx, {
        action: 'consent_asked',
        actor: `gateway:${call.askedOf}`,
        conversationId: call.conversationId,
        target: `consent:${id}`,
        payload: { tool: call.tool, era: audit.era },
        traceId: audit.traceId,
      })
      return id
    })
  },

  /**
   * Takes the answer to question `id`, once: only for the same caller, conversation, tool and
   * arguments, and only while unanswered. An answer later than `limitMs` after the question counts
   * as none. Undefined when there is no such open question (a wrong or reused id, another call).
   */
  async answer(
    db: Database,
    id: string,
    call: ConsentCall,
    answer: Exclude<ConsentAnswer, 'no_answer'>,
    limitMs: number,
    trace: ConsentTrace = {},
  ): Promise<AnsweredConsent | undefined> {
    return db.transaction(async (tx) => {
      const { rows } = await tx.query<Row>(
        `UPDATE consent_requests
            SET answer = CASE WHEN asked_at < now() - make_interval(secs => $6 / 1000.0)
                              THEN 'no_answer' ELSE $5 END,
                answered_at = now()
          WHERE id = $1 AND asked_of = $2 AND tool = $3 AND arguments_digest = $4
            AND conversation_id IS NOT DISTINCT FROM $7::uuid AND answer IS NULL
          RETURNING id, tool, asked_of, conversation_id, answer`,
        [
          id,
          call.askedOf,
          call.tool,
          argumentsDigest(call.arguments),
          answer,
          limitMs,
          call.conversationId,
        ],
      )
      const taken = rows[0] === undefined ? undefined : answered(rows[0])
      if (taken !== undefined) await writeAudit(tx, answerAudit(taken, trace))
      return taken
    })
  },

  /**
   * Closes as unanswered the questions left open longer than `limitMs` (no answer counts as no):
   * the one given, or every one.
   */
  async closeUnanswered(
    db: Database,
    limitMs: number,
    id?: string,
    trace: ConsentTrace = {},
  ): Promise<AnsweredConsent[]> {
    return db.transaction(async (tx) => {
      const { rows } = await tx.query<Row>(
        `UPDATE consent_requests SET answer = 'no_answer', answered_at = now()
          WHERE answer IS NULL AND asked_at <= now() - make_interval(secs => $1 / 1000.0)
            AND ($2::uuid IS NULL OR id = $2::uuid)
          RETURNING id, tool, asked_of, conversation_id, answer`,
        [limitMs, id ?? null],
      )
      const closed = rows.map(answered)
      for (const taken of closed) await writeAudit(tx, answerAudit(taken, trace))
      return closed
    })
  },
}

/** The audit row of an answer: given for a yes, declined for anything else. */
function answerAudit(taken: AnsweredConsent, trace: ConsentTrace): AuditEntry {
  return {
    action: taken.answer === 'accepted' ? 'consent_given' : 'consent_declined',
    actor: `gateway:${taken.askedOf}`,
    conversationId: taken.conversationId,
    target: `consent:${taken.id}`,
    payload: { tool: taken.tool, answer: taken.answer },
    traceId: trace.traceId,
  }
}

type Row = {
  id: string
  tool: string
  asked_of: string
  conversation_id: string | null
  answer: ConsentAnswer
}

function answered(row: Row): AnsweredConsent {
  return {
    id: row.id,
    tool: row.tool,
    askedOf: row.asked_of,
    conversationId: row.conversation_id,
    answer: row.answer,
  }
}
