import { z } from 'zod'
import type { AuditEntry } from '../audit/audit-writer.ts'
import type { Identity } from '../auth/identity.ts'
import type { Search } from '../embedding/search.ts'
import type { JsonObject } from '../lib/json.ts'
import type { ApprovalSummary } from '../protocol/approval-summary.ts'
import type { Queryable } from '../store/database.ts'

export interface SessionClaims {
  /** 128 random bits, base64url. */
  sessionId: string
  sub: string
  conversationId: string
  expiresAt: Date
}

/** MCP tool annotations, set truthfully: clients decide what to confirm from them. */
export interface ToolAnnotations {
  readOnlyHint: boolean
  destructiveHint: boolean
  idempotentHint: boolean
  openWorldHint: boolean
}

export interface ToolResult {
  /** The structured result (MCP `structuredContent`), also recorded on the invocation row. */
  data: JsonObject
  /** The same, readable: what a model or a person reads first. */
  text: string
  /** Set by the gateway when the call was put to staff: the request's id. */
  staffRequest?: string
}

export interface ToolContext {
  /**
   * Where the tool runs its SQL. A tool that writes: the call's transaction, whose business rows
   * and audit rows commit together or not at all. A read-only tool: a read-only transaction, or,
   * with `isolation: 'statement'`, read-only statements on their own.
   */
  tx: Queryable
  identity: Identity
  /** Undefined only for the tools callable before `begin_session`. */
  session: SessionClaims | undefined
  /** The conversation the call belongs to (the session's), when there is one. */
  conversationId: string | undefined
  /** Appends an audit row to this call's transaction, linked to its invocation (not for reads). */
  record(entry: Omit<AuditEntry, 'invocationId' | 'actor'> & { actor?: string }): Promise<number>
  signal: AbortSignal
  /** The request's `_meta`, as the client sent it. */
  meta: Readonly<Record<string, unknown>>
  /** Nearest-neighbour search over the documents, in the gateway's embedding model. */
  search: Search
  /**
   * Puts this call to staff instead of running it, when the pack's policy says it needs a staff
   * decision: records a request holding the call's arguments and `summary` (what staff decide on),
   * in this call's transaction, and gives its id. On approval the gateway runs the tool once more,
   * with the same arguments, as the staff member who decided. Refused to a staff caller (who may
   * decide for themselves) and in a preview.
   */
  requestStaffDecision(request: { kind: string; summary: ApprovalSummary }): Promise<{ id: string }>
  /** Set when the tool runs on a staff decision: the request, and whom it is for. */
  onBehalfOf?: { requestId: string; sub: string } | undefined
}

/**
 * A tool as its author writes it (a pack's `domain_*` tools, the core's own): what it is called,
 * what it takes and how it runs. The gateway validates, guards, audits and serves it; what the
 * tool needs beyond its input (its transaction, the caller, search) arrives in its context.
 */
export interface ToolDefinition<S extends z.ZodObject = z.ZodObject> {
  /** `begin_session`, `health`, `domain_*`, `user_*` or `config_*`. */
  name: string
  title: string
  /** The routing surface: what it does, when to use it, the words that should trigger it. */
  description: string
  /** Strict: unknown fields are refused. */
  input: S
  annotations: ToolAnnotations
  /** False for the tools callable without a session (`begin_session`, `health`). */
  needsSession?: boolean
  /**
   * Fields holding personal data or free text, by name: wherever one appears in the call's
   * arguments or result, its invocation row keeps a digest and a length, not the value. (Emails,
   * phone numbers and card numbers are digested everywhere, by value, whatever the field.)
   */
  sensitive?: readonly string[]
  /** The most bytes of arguments (as JSON) it accepts, when less than the gateway's 64 KiB. */
  maxInputBytes?: number
  /**
   * Read-only tools only. `'statement'` when its reads need not share one snapshot (a single
   * statement, or statements that cannot contradict each other): it then runs without a
   * transaction, which saves the BEGIN and COMMIT round trips; every statement is still read-only
   * and cancelled at the time limit. The default, `'snapshot'`, gives it a read-only transaction.
   */
  isolation?: 'statement' | 'snapshot'
  /**
   * The scope a caller's token must carry to call it. Default: `read` for a read-only tool, `write`
   * for one that writes. A tool that needs more (the support pack's refunds move money) names one
   * of its pack's `scopes`; never `staff`, which is a role, not a permission to call.
   */
  scope?: string
  /**
   * Staff only: refused to a customer identity whatever its scopes (a ticket's resolution, say).
   */
  staffOnly?: boolean
  /**
   * What a customer reads while the call runs, in words: a template over its arguments
   * ("Looking up order {order}…"). Without it, pages say the Worker is working on it.
   */
  activity?: string
  /** What a conversation that makes this call is about, for its title ("Order {order}"). */
  topic?: string
  /**
   * Whose yes a call needs before it runs, when it acts for the person at the client (money out, a
   * deletion). `'server'`: the gateway asks them itself, with its own summary (`describe`), when
   * the client can put a question to its user (elicitation in the 2025 protocol, an input-required
   * result in 2026-07-28); a client that cannot ask is told, in the tool's description, to confirm
   * with its user first, and a Worker asks for it before the call and answers the gateway's
   * question with that same consent. `'host'`: only the client's own confirmation (a Worker's
   * consent card). Undefined: no consent.
   */
  consent?: 'server' | 'host'
  run(context: ToolContext, input: z.output<S>): Promise<ToolResult>
  /**
   * What a call would do, for the person asked to approve it: read-only, in the caller's identity,
   * refusing what `run` would refuse. Without it a preview lists the parsed arguments.
   */
  describe?(context: ToolContext, input: z.output<S>): Promise<ApprovalSummary>
}

/** The scope a call of `tool` needs. */
export function requiredScope(tool: ToolDefinition): string {
  return tool.scope ?? (tool.annotations.readOnlyHint ? 'read' : 'write')
}

/**
 * A definition, checked against its own input schema (so `run` and `describe` get the parsed
 * input's type), as an element of a tool list.
 */
export function defineTool<S extends z.ZodObject>(tool: ToolDefinition<S>): ToolDefinition {
  return tool as unknown as ToolDefinition
}

/** The session handle argument every session-bound tool takes (or reads from `_meta`). */
export const SESSION_ARGUMENT = z
  .string()
  .max(4096)
  .optional()
  .describe('The session handle from begin_session (omit it when your client sends it in _meta).')

/** Annotations of a tool that only reads. */
export const READ_ONLY: ToolAnnotations = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
}

/**
 * Annotations of a tool that writes to the system of record (and reaches nothing beyond it). The
 * two judgements its author must make are asked, never defaulted: `destructive`, a call may destroy
 * or give away something (a deletion, money out); `idempotent`, calling it again with the same
 * arguments changes nothing more.
 */
export function writes(effect: { destructive: boolean; idempotent: boolean }): ToolAnnotations {
  return {
    readOnlyHint: false,
    destructiveHint: effect.destructive,
    idempotentHint: effect.idempotent,
    openWorldHint: false,
  }
}
