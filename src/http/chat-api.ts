import { type Context, Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { z } from 'zod'
import { SUMMARY_UNAVAILABLE, type Worker } from '../agent/worker.ts'
import { isStorableText } from '../audit/storable.ts'
import type { StaffDecision } from '../gateway/staff-decision.ts'
import type { Logger } from '../lib/logger.ts'
import { conversations } from '../memory/conversations.ts'
import { runStore } from '../memory/runs.ts'
import { type StaffRequest, staffRequests } from '../memory/staff-requests.ts'
import type { StaffPack } from '../pack/staff-contract.ts'
import type { ChangeFeed } from '../store/change-feed.ts'
import type { Database } from '../store/database.ts'
import { type RateLimit, rateLimiter } from '../store/rate-limiter.ts'
import { type ApiEnv, apiError, errorResponse } from './api-common.ts'
import { requestView } from './request-view.ts'
import { type RunningTurns, streamTurn } from './turn-stream.ts'

export interface ChatApiOptions {
  /** Reads of conversations and the audit trail, and the rate limits. */
  db: Database
  /** Undefined when no model is configured: chat answers 503 with `workerProblem`. */
  worker: Worker | undefined
  workerProblem?: string | undefined
  /** What the Worker runs on, for `GET /api/worker`. */
  model?: { provider: string; name: string } | undefined
  /** Turns (new messages and decisions) per user. */
  rateLimit: RateLimit
  maxMessageChars: number
  logger: Logger
  running: RunningTurns
  /** Decides requests the gateway put to staff; unset: only the Worker's approvals are decided. */
  decide?: ((decision: StaffDecision) => Promise<StaffRequest>) | undefined
  /**
   * Who is told how to set the server up (no model configured, say): `everyone` on a server only
   * this machine reaches, else `staff` (a customer only hears the assistant is unavailable).
   */
  operatorHints?: 'everyone' | 'staff' | undefined
  /** What the gateway's tools say of a call, by tool name: a stored call's activity line. */
  toolWords?: ReadonlyMap<string, string> | undefined
  /** The pack's part of the staff console (inbox kinds, metrics). */
  staff?: StaffPack | undefined
  /** This process's change feed: live updates of conversations and the inbox (`/events`). */
  feed?: ChangeFeed | undefined
}

const uuid = z.uuid({ version: 'v4', error: 'must be a conversation id (a UUID)' })

/** Text no Postgres text column can hold: refused as bad input, not failed on as a 500. */
const STORABLE = 'text must not contain a NUL character or an unpaired surrogate'

/**
 * The chat API, behind the bearer check that sets `identity`: chat turns as Server-Sent Events,
 * the user's conversations, their messages and audit trail, and decisions on waiting approvals.
 * Another user's conversation or approval is "not found", never "forbidden".
 */
export function chatApi(options: ChatApiOptions): Hono<ApiEnv> {
  const { db, logger, running } = options
  const app = new Hono<ApiEnv>()
  // A message is at most a few thousand characters: a body far larger is refused before it is read.
  app.use(
    '*',
    bodyLimit({
      maxSize: 64 * 1024,
      onError: (c) => apiError(c, 413, 'too_large', 'The request body is over 64 KiB.'),
    }),
  )
  const limited = rateLimiter(db, options.rateLimit)
  const chatBody = z.strictObject({
    conversation_id: uuid.optional(),
    message: z
      .string({ error: 'message must be text' })
      .min(1, { error: 'message must not be empty' })
      .max(options.maxMessageChars, {
        error: `message must be at most ${options.maxMessageChars} characters`,
      })
      .refine(isStorableText, { error: STORABLE }),
  })
  const decisionBody = z.strictObject({
    decision: z.enum(['approve', 'reject'], { error: 'decision must be approve or reject' }),
    reason: z
      .string()
      .max(1000, { error: 'reason must be at most 1000 characters' })
      .refine(isStorableText, { error: STORABLE })
      .optional(),
  })

  /** The parsed JSON body, or the 400 that says what is wrong with it. */
  async function body<T>(c: Context, schema: z.ZodType<T>): Promise<T | Response> {
    let raw: unknown
    try {
      raw = await c.req.json()
    } catch {
      return apiError(c, 400, 'invalid_input', 'The body must be JSON.')
    }
    const parsed = schema.safeParse(raw)
    if (parsed.success) return parsed.data
    return apiError(
      c,
      400,
      'invalid_input',
      parsed.error.issues.map((issue) => issue.message).join('; '),
    )
  }

  /** The Worker for a turn, or the refusal: no model, or the user's budget spent (429). */
  async function workerFor(c: Context<ApiEnv>): Promise<Worker | Response> {
    if (options.worker === undefined) {
      const operator = c.get('identity').role === 'staff' || options.operatorHints === 'everyone'
      return apiError(
        c,
        503,
        'model_not_configured',
        operator
          ? (options.workerProblem ?? 'No language model is configured.')
          : 'The assistant is not available right now; please try again later.',
      )
    }
    const decision = await limited(`chat:${c.get('identity').sub}`)
    if (decision.allowed) return options.worker
    c.header('retry-after', String(decision.retryAfterSeconds))
    return apiError(
      c,
      429,
      'rate_limited',
      `Too many messages; try again in ${decision.retryAfterSeconds} s.`,
    )
  }

  const chat = async (c: Context<ApiEnv>): Promise<Response> => {
    const input = await body(c, chatBody)
    if (input instanceof Response) return input
    const identity = c.get('identity')
    if (
      input.conversation_id !== undefined &&
      !(await conversations.owns(db, identity.sub, input.conversation_id))
    ) {
      return apiError(c, 404, 'not_found', `No conversation ${input.conversation_id} was found.`)
    }
    const worker = await workerFor(c)
    if (worker instanceof Response) return worker
    const turn = worker.send({
      message: input.message,
      conversationId: input.conversation_id,
      identity,
    })
    return streamTurn(c, turn, { logger, running })
  }

  // Set-up hints are for the operator: staff, or whoever sits at this machine; never a customer.
  app.get('/worker', (c) => {
    if (options.worker !== undefined) return c.json({ ready: true, model: options.model ?? null })
    const operator = c.get('identity').role === 'staff' || options.operatorHints === 'everyone'
    return c.json(
      operator
        ? { ready: false, problem: options.workerProblem ?? 'No language model is configured.' }
        : { ready: false },
    )
  })

  app.post('/chat', chat)

  // For clients that name the user in the path: it must be the one the token proves.
  app.post('/:userId/chat', async (c) => {
    if (c.req.param('userId') !== c.get('identity').sub) {
      return apiError(
        c,
        403,
        'forbidden',
        'The path names another user: use your own id, or POST /api/chat.',
      )
    }
    return chat(c)
  })

  app.get('/approvals', async (c) => {
    const pending =
      options.worker === undefined
        ? []
        : await options.worker.pending({ userId: c.get('identity').sub })
    return c.json({ approvals: pending })
  })

  app.post('/approvals/:id', async (c) => {
    const id = c.req.param('id')
    const input = await body(c, decisionBody)
    if (input instanceof Response) return input
    const identity = c.get('identity')
    // A request put to staff: decided by staff only, whoever asks and however.
    const staffRequest = uuid.safeParse(id).success ? await staffRequests.find(db, id) : undefined
    if (staffRequest !== undefined && options.decide !== undefined) {
      if (identity.role !== 'staff') {
        return staffRequest.requestedBy === identity.sub
          ? apiError(c, 403, 'forbidden', 'Staff decide this request, not you.')
          : apiError(c, 404, 'not_found', `No approval ${id} is waiting for you.`)
      }
      try {
        const request = await options.decide({
          requestId: id,
          decision: input.decision === 'approve' ? 'approved' : 'rejected',
          reason: input.reason,
          identity,
        })
        return c.json({ request: await requestView(db, request) })
      } catch (error) {
        return errorResponse(c, error)
      }
    }
    const waiting = uuid.safeParse(id).success
      ? await runStore.waiting(db, identity.sub, id)
      : undefined
    if (waiting === undefined) {
      return apiError(c, 404, 'not_found', `No approval ${id} is waiting for you.`)
    }
    if (input.decision === 'approve' && !waiting.described) {
      return apiError(c, 409, 'summary_unavailable', SUMMARY_UNAVAILABLE)
    }
    const worker = await workerFor(c)
    if (worker instanceof Response) return worker
    const turn = worker.decide({
      approvalId: id,
      decision: input.decision === 'approve' ? 'approved' : 'rejected',
      reason: input.reason,
      identity,
    })
    return streamTurn(c, turn, { logger, running })
  })

  return app
}
