import { z } from 'zod'

/**
 * The gateway's wire contract beyond MCP itself: what a client may send in `_meta`, what an error
 * result carries, and what `begin_session` returns. The gateway and the Worker both import it, so
 * they agree in code rather than by reading each other's English.
 */

/** `_meta` keys a client may send with a call (trace context: see trace-context.ts). */
export const META = {
  session: 'io.digital-fte/session',
  conversation: 'io.digital-fte/conversation',
  /** `true`: describe the call for a person's approval (read-only) instead of running it. */
  preview: 'io.digital-fte/preview',
  /**
   * A client's own token for a call it already has its user's consent for: the gateway's question
   * about the call carries it back (`CONSENT_META.key`), so the client knows which call is meant.
   */
  consentKey: 'io.digital-fte/consent-key',
} as const

/** `_meta` keys of the question the gateway puts to a person before a consent call runs. */
export const CONSENT_META = {
  /** The gateway's summary of the call (an `ApprovalSummary`): what the person says yes to. */
  summary: 'io.digital-fte/consent-summary',
  /** The call's `META.consentKey`, when it had one. */
  key: 'io.digital-fte/consent-key',
} as const

/** The one field of the gateway's question: yes (`true`) or no. */
export const CONSENT_FIELD = 'approve'

/** `_meta` keys of a call's result. */
export const RESULT_META = {
  /** The call was put to staff: the id of the request that waits for their decision. */
  staffRequest: 'io.digital-fte/staff-request',
} as const

/**
 * `_meta` keys of a tool as `tools/list` describes it: how a page names what the tool is doing and
 * what a conversation is about, in words a customer reads. Templates: `{argument}` is replaced by
 * that argument's value.
 */
export const TOOL_META = {
  activity: 'io.digital-fte/activity',
  topic: 'io.digital-fte/topic',
} as const

/**
 * A tool's template filled with a call's arguments: each `{name}` by that argument (text or a
 * number, cut to 60 characters, on one line), `{#name}` the same with a `#` before it unless the
 * value has one (an order number as people write it); undefined when one it names is missing.
 */
export function fillTemplate(
  template: string,
  args: Readonly<Record<string, unknown>>,
): string | undefined {
  let missing = false
  const text = template.replace(/\{(#?)([a-z_][a-z0-9_]*)\}/g, (_, hash: string, name: string) => {
    const value = args[name]
    if (typeof value !== 'string' && typeof value !== 'number') {
      missing = true
      return ''
    }
    const flat = String(value).replace(/\s+/g, ' ').trim()
    const cut = flat.length > 60 ? `${flat.slice(0, 59)}…` : flat
    return hash === '#' && !cut.startsWith('#') ? `#${cut}` : cut
  })
  return missing ? undefined : text
}

/**
 * Why a call failed, as `structuredContent.error.code` of its error result. The first group means
 * the caller must change something (its text says what); `unavailable` and `timeout` mean the
 * system of record could not answer, and the text tells the model not to improvise.
 */
export const TOOL_ERROR_CODES = [
  'invalid_input',
  'not_found',
  'session_invalid',
  'forbidden',
  'insufficient_scope',
  'outside_envelope',
  'conflict',
  'too_many_calls',
  'declined',
  'rate_limited',
  'embedding_model_mismatch',
  'unavailable',
  'timeout',
] as const

export type ToolErrorCode = (typeof TOOL_ERROR_CODES)[number]

const toolErrorSchema = z.object({
  error: z.object({ code: z.enum(TOOL_ERROR_CODES), message: z.string() }),
})

/** The `structuredContent` of an error result. */
export function toolError(
  code: ToolErrorCode,
  message: string,
): { error: { code: ToolErrorCode; message: string } } {
  return { error: { code, message } }
}

/** The code of an error result's `structuredContent`; undefined for anything else. */
export function toolErrorCode(structuredContent: unknown): ToolErrorCode | undefined {
  const parsed = toolErrorSchema.safeParse(structuredContent)
  return parsed.success ? parsed.data.error.code : undefined
}

/** What `begin_session` returns in `structuredContent`. */
export const beginSessionResultSchema = z.object({
  session_handle: z.string().min(1),
  expires_at: z.string(),
  conversation_id: z.string(),
  user: z.object({ id: z.string(), role: z.string() }),
  rules: z.string(),
  persona: z.string(),
  state: z.record(z.string(), z.json()),
  /** Staff decisions on the caller's requests not yet passed on. */
  decisions: z
    .array(
      z.object({
        request_id: z.string(),
        decision: z.string(),
        request: z.string(),
        decided_at: z.string().nullable(),
        reason: z.string().optional(),
        outcome: z.string().optional(),
      }),
    )
    .optional(),
})

export type BeginSessionResult = z.output<typeof beginSessionResultSchema>
