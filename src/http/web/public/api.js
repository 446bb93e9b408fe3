// @ts-check
// The API as this page uses it: JSON requests with the bearer token, and chat turns read as
// Server-Sent Events from a POST (which EventSource cannot send), parsed by eventsource-parser.
import { EventSourceParserStream } from 'eventsource-parser/stream'
import { follow } from './live-stream.js'

/** @typedef {{ sub: string, name: string | null }} Person */
/**
 * @typedef {{ type: 'turn_started', conversationId: string, resumed: boolean }
 *   | { type: 'text_delta', conversationId: string, delta: string }
 *   | { type: 'tool_call', conversationId: string, callId: string, name: string, arguments: Record<string, unknown>, activity?: string }
 *   | { type: 'tool_result', conversationId: string, callId: string, name: string, status: 'ok' | 'error', summary: string }
 *   | { type: 'skill_activated', conversationId: string, name: string }
 *   | { type: 'approval_requested', conversationId: string, approvalId: string, tool: string, arguments: Record<string, unknown>, summary: ApprovalSummary | null }
 *   | { type: 'approval_recorded', conversationId: string, approvalId: string, tool: string, summary: ApprovalSummary | null, decision: 'approved' | 'rejected', waiting: number }
 *   | { type: 'guardrail', conversationId: string, guardrail: string, action: string, detail: string }
 *   | { type: 'message', conversationId: string, text: string }
 *   | { type: 'held', conversationId: string, by: string }
 *   | { type: 'error', conversationId: string | null, code: string, message: string }
 *   | { type: 'turn_ended', conversationId: string, status: 'completed' | 'paused' | 'failed' }} TurnEvent
 */
/**
 * @typedef {{ id: string, title: string | null, startedAt?: string, lastAt?: string | null,
 *   lastMessageAt?: string | null, held?: boolean, waitingApprovals?: number }} ConversationListing
 */
/**
 * @typedef {{ id: string, role: string, kind: 'message' | 'tool_call' | 'tool_result',
 *   content: string, name: string | null, createdAt: string, author?: Person | null }} Entry
 */
/**
 * What a person approves, as the server built it: the plain question, label/value lines, and the
 * model's own words.
 * @typedef {{ title: string, prompt?: string, lines: Array<{ label: string, value: string }>,
 *   model_text: Array<{ label: string, text: string }> }} ApprovalSummary
 */
/** @typedef {{ id: string, tool: string, summary: ApprovalSummary | null }} Approval */
/**
 * A request routed to staff, as its conversation shows it.
 * @typedef {{ id: string, status: 'pending' | 'approved' | 'rejected', summary: ApprovalSummary | null,
 *   reason?: string, decidedBy?: Person, outcome?: string, createdAt: string, decidedAt?: string }} StaffRequest
 */
/**
 * @typedef {{ id: string, entries: Entry[], approvals: Approval[], requests?: StaffRequest[],
 *   held?: boolean | Person | null }} Conversation
 */
/**
 * One change in a conversation, live.
 * @typedef {{ seq: number, conversationId: string } & (
 *   { kind: 'message', message: { id: string, role: 'user' | 'assistant', author: Person | null, text: string, at: string } }
 *   | { kind: 'hold', held: true, by: Person } | { kind: 'hold', held: false }
 *   | { kind: 'request', request: StaffRequest }
 *   | { kind: 'reset' })} ConversationChange
 */
/**
 * @typedef {{ kind: 'message', at: string, role: string, content: string }
 *   | { kind: 'audit', at: string, action: string, actor: string, target: string | null,
 *       invocation: { capability: string, status: string, latencyMs: number } | null }} TimelineEvent
 */
/** @typedef {{ sub: string, role: 'customer' | 'staff', scopes: string[], email?: string, name?: string }} Me */

/** A refusal from the API: its HTTP status and stable code, and what it says. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   * @param {number | undefined} retryAfter seconds, for 429
   */
  constructor(status, code, message, retryAfter) {
    super(message)
    this.status = status
    this.code = code
    this.retryAfter = retryAfter
  }
}

/**
 * @param {() => string | undefined} token the bearer token; undefined while sign-in is disabled
 */
export function createApi(token) {
  /**
   * @param {string} path
   * @param {RequestInit} init
   */
  function send(path, init) {
    const headers = new Headers(init.headers)
    const bearer = token()
    if (bearer !== undefined) headers.set('authorization', `Bearer ${bearer}`)
    return fetch(path, { ...init, headers }).then(async (response) => {
      if (response.ok) return response
      throw await refusal(response)
    })
  }

  /**
   * @template T
   * @param {string} path
   * @returns {Promise<T>}
   */
  async function get(path) {
    return (await send(path, { method: 'GET' })).json()
  }

  /**
   * @template T
   * @param {string} path
   * @param {unknown} [body]
   * @returns {Promise<T>}
   */
  async function post(path, body = {}) {
    const init = { method: 'POST', headers: { 'content-type': 'application/json' } }
    return (await send(path, { ...init, body: JSON.stringify(body) })).json()
  }

  /**
   * POSTs `body` and hands each event of the turn to `onEvent` as it arrives.
   * @param {string} path
   * @param {unknown} body
   * @param {(event: TurnEvent) => void} onEvent
   * @returns {Promise<'done' | 'cut'>} 'cut': the stream ended before its last event (the turn
   *   still finishes on the server).
   */
  async function stream(path, body, onEvent) {
    const response = await send(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify(body),
    })
    if (response.body === null) return 'cut'
    const reader = response.body
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new EventSourceParserStream())
      .getReader()
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) return 'cut'
        if (value.event === 'done') return 'done'
        onEvent(JSON.parse(value.data))
      }
    } catch {
      return 'cut'
    } finally {
      reader.releaseLock()
    }
  }

  const path = (/** @type {string} */ id) => `/api/conversations/${encodeURIComponent(id)}`

  return {
    get,
    post,
    /**
     * @param {string} path
     * @param {import('./live-stream.js').FollowHandlers} handlers
     */
    follow: (path, handlers) => follow(path, token, handlers),
    /** @returns {Promise<Me>} */
    me: () => get('/api/me'),
    /** @returns {Promise<{ ready: true, model: { provider: string, name: string } | null } | { ready: false, problem?: string }>} */
    worker: () => get('/api/worker'),
    /** @returns {Promise<{ conversations: ConversationListing[] }>} */
    conversations: () => get('/api/conversations'),
    /** @param {string} id @returns {Promise<Conversation>} */
    conversation: (id) => get(path(id)),
    /** @param {string} id @returns {Promise<{ events: TimelineEvent[] }>} */
    audit: (id) => get(`${path(id)}/audit`),
    /**
     * @param {string} id
     * @param {import('./live-stream.js').FollowHandlers} handlers
     */
    conversationEvents: (id, handlers) => follow(`${path(id)}/events`, token, handlers),
    /**
     * @param {{ message: string, conversation_id?: string }} input
     * @param {(event: TurnEvent) => void} onEvent
     */
    chat: (input, onEvent) => stream('/api/chat', input, onEvent),
    /**
     * @param {string} id
     * @param {{ decision: 'approve' | 'reject', reason?: string }} input
     * @param {(event: TurnEvent) => void} onEvent
     */
    decide: (id, input, onEvent) =>
      stream(`/api/approvals/${encodeURIComponent(id)}`, input, onEvent),
  }
}

/** @typedef {ReturnType<typeof createApi>} Api */

/** @param {Response} response */
async function refusal(response) {
  const retryAfter = Number(response.headers.get('retry-after') ?? '') || undefined
  try {
    /** @type {{ error?: string, message?: string }} */
    const body = await response.json()
    return new ApiError(
      response.status,
      body.error ?? 'http_error',
      body.message ?? `HTTP ${response.status}`,
      retryAfter,
    )
  } catch {
    return new ApiError(response.status, 'http_error', `HTTP ${response.status}`, retryAfter)
  }
}
