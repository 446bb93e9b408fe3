import type { AuditEntry } from '../audit/audit-writer.ts'
import { invokeAudited } from '../audit/audit-writer.ts'
import { isStorableText } from '../audit/storable.ts'
import type { Identity } from '../auth/identity.ts'
import { ForbiddenError, InternalError, InvalidInputError, NotFoundError } from '../lib/errors.ts'
import type { Json } from '../lib/json.ts'
import { conversations } from '../memory/conversations.ts'
import { handoffs } from '../memory/handoffs.ts'
import { inboxClaims } from '../memory/inbox-claims.ts'
import { people } from '../memory/people.ts'
import { type StaffRequest, staffRequests } from '../memory/staff-requests.ts'
import type { ToolDefinition } from '../pack/tool-definition.ts'
import { type ApprovalSummary, approvalSummarySchema } from '../protocol/approval-summary.ts'
import type { Queryable } from '../store/database.ts'
import type { AcceptedCall } from './call/audited-execution.ts'
import type { GatewayDeps } from './call/gateway-deps.ts'
import { acceptInput } from './call/input-guard.ts'

/** The inbox item a staff request is. */
export const requestItem = (id: string) => `request:${id}`

/**
 * A tool's `requestStaffDecision`: the call recorded as a request for staff, in its own
 * transaction, with `staff_request_routed` in the audit trail. Only a caller who is not staff gets
 * here; a preview never does.
 */
export async function routeToStaff(options: {
  tx: Queryable
  record: (entry: Omit<AuditEntry, 'invocationId'>) => Promise<number>
  call: AcceptedCall
  request: { kind: string; summary: ApprovalSummary }
  preview: boolean
}): Promise<{ id: string }> {
  const { call, tx } = options
  if (options.preview) {
    throw new InternalError('internal', `${call.tool.name} asked for a staff decision in a preview`)
  }
  if (call.identity.role === 'staff') {
    throw new InternalError(
      'internal',
      `${call.tool.name} asked staff to decide a call staff made: a staff caller decides for themselves`,
    )
  }
  const request = await staffRequests.create(tx, {
    kind: options.request.kind,
    tool: call.tool.name,
    arguments: call.arguments,
    summary: approvalSummarySchema.parse(options.request.summary),
    requestedBy: call.identity.sub,
    conversationId: call.session?.conversationId ?? null,
  })
  await options.record({
    action: 'staff_request_routed',
    actor: `gateway:${call.identity.sub}`,
    target: `staff_request:${request.id}`,
    payload: { request_id: request.id, kind: request.kind, tool: request.tool },
  })
  return { id: request.id }
}

export interface StaffDecision {
  requestId: string
  decision: 'approved' | 'rejected'
  reason?: string | undefined
  /** Who decides: staff, or the decision is refused. */
  identity: Identity
  signal?: AbortSignal | undefined
}

/**
 * A staff member's decision on a request, in one audited transaction: the request locked while it
 * waits (so of two people deciding at once, the second finds it decided), on approval the tool run
 * once with the request's arguments as the deciding staff member on the requester's behalf, the
 * decision and who made it for whom recorded, and the requester told in their conversation with
 * the Worker when they have one (otherwise `begin_session` tells them next time).
 */
export async function decideStaffRequest(
  deps: Pick<GatewayDeps, 'db' | 'search' | 'toolTimeoutMs'>,
  tools: readonly ToolDefinition[],
  decision: StaffDecision,
): Promise<StaffRequest> {
  const { identity } = decision
  if (identity.role !== 'staff') {
    throw new ForbiddenError('Only support staff can decide this request.')
  }
  if (decision.decision === 'rejected' && (decision.reason ?? '').trim() === '') {
    throw new InvalidInputError('Say why the request is rejected: the customer is told.')
  }
  const reason = decision.reason ?? ''
  if (reason.length > 1000 || !isStorableText(reason)) {
    throw new InvalidInputError(
      'The reason must be at most 1000 characters of text (no NUL character).',
    )
  }
  const actor = `staff:${identity.sub}`
  const decided = await invokeAudited(
    deps.db,
    {
      capability: 'staff:decide_request',
      actor,
      arguments: { request_id: decision.requestId, decision: decision.decision },
      conversationId: null,
    },
    async ({ tx, record }) => {
      await people.seen(tx, identity)
      const request = await staffRequests.lockPending(tx, decision.requestId)
      if (request === undefined) {
        throw new NotFoundError(`No staff request ${decision.requestId} was found.`)
      }
      let outcome: StaffRequest['outcome'] = null
      if (decision.decision === 'approved') {
        outcome = await runApproved(deps, tools, tx, record, request, decision)
      }
      const name = (await people.names(tx, [identity.sub])).get(identity.sub)?.name ?? identity.sub
      const told =
        request.conversationId !== null &&
        (await conversations.hasMessages(tx, request.conversationId))
      if (told) {
        await handoffs.personMessage(tx, {
          conversationId: request.conversationId as string,
          author: identity.sub,
          authorName: name,
          text: decisionText(request, decision, outcome),
        })
      }
      const updated = await staffRequests.decide(tx, request.id, {
        status: decision.decision,
        decidedBy: identity.sub,
        reason: decision.reason?.trim() || null,
        outcome,
        reported: told,
      })
      await record({
        action: 'staff_request_decided',
        actor,
        conversationId: request.conversationId,
        target: `staff_request:${request.id}`,
        payload: {
          request_id: request.id,
          kind: request.kind,
          tool: request.tool,
          decision: decision.decision,
          decided_by: identity.sub,
          for: request.requestedBy,
          waited_ms: Date.now() - request.createdAt.getTime(),
        },
        result: outcome === null ? null : { outcome: outcome.text.slice(0, 500) },
      })
      await inboxClaims.drop(tx, [requestItem(request.id)])
      return toJson(updated)
    },
    {
      statementTimeoutMs: Math.trunc(deps.toolTimeoutMs),
      // The invocation keeps what was decided, not the request's arguments (free text in them).
      recordedResult: (result) => {
        const row = result as { id?: Json; status?: Json }
        return { id: row.id ?? null, status: row.status ?? null }
      },
    },
  )
  return fromJson(decided)
}

/** The request's tool, run once as the deciding staff member for the requester. */
async function runApproved(
  deps: Pick<GatewayDeps, 'search'>,
  tools: readonly ToolDefinition[],
  tx: Queryable,
  record: (entry: Omit<AuditEntry, 'invocationId'>) => Promise<number>,
  request: StaffRequest,
  decision: StaffDecision,
): Promise<NonNullable<StaffRequest['outcome']>> {
  const tool = tools.find((t) => t.name === request.tool)
  if (tool === undefined) {
    throw new InternalError('internal', `the request's tool ${request.tool} is not served here`)
  }
  const input = acceptInput(tool, { ...request.arguments })
  const result = await tool.run(
    {
      tx,
      identity: decision.identity,
      session: undefined,
      conversationId: request.conversationId ?? undefined,
      record: (entry) => record({ actor: `gateway:${decision.identity.sub}`, ...entry }),
      signal: decision.signal ?? new AbortController().signal,
      meta: {},
      search: deps.search,
      requestStaffDecision: () =>
        Promise.reject(
          new InternalError('internal', `${tool.name} asked for staff while staff decided it`),
        ),
      onBehalfOf: { requestId: request.id, sub: request.requestedBy },
    },
    input,
  )
  return { text: result.text, data: result.data }
}

/** What the requester reads of the decision, signed by the person who made it. */
function decisionText(
  request: StaffRequest,
  decision: StaffDecision,
  outcome: StaffRequest['outcome'],
): string {
  if (decision.decision === 'approved') {
    return `I approved your request (${request.summary.title}). ${outcome?.text ?? ''}`.trim()
  }
  return `I could not approve your request (${request.summary.title}): ${decision.reason?.trim() ?? ''}`
}

function toJson(request: StaffRequest): Json {
  return JSON.parse(JSON.stringify(request)) as Json
}

function fromJson(json: Json): StaffRequest {
  const row = json as unknown as StaffRequest & {
    decidedAt: string | null
    reportedAt: string | null
    createdAt: string
  }
  return {
    ...row,
    decidedAt: row.decidedAt === null ? null : new Date(row.decidedAt),
    reportedAt: row.reportedAt === null ? null : new Date(row.reportedAt),
    createdAt: new Date(row.createdAt),
  }
}
