import {
  type ElicitRequestFormParams,
  type ElicitResult,
  type InputRequiredResult,
  inputRequired,
  inputResponse,
} from '@modelcontextprotocol/server'
import { CallerError, errorMessage } from '../../lib/errors.ts'
import { isUuid } from '../../lib/uuid.ts'
import {
  type AnsweredConsent,
  type ConsentAnswer,
  type ConsentCall,
  consentRequests,
} from '../../memory/consent-requests.ts'
import {
  type ApprovalSummary,
  approvalSummarySchema,
  summaryText,
} from '../../protocol/approval-summary.ts'
import { CONSENT_FIELD, CONSENT_META, META } from '../../protocol/gateway-wire.ts'
import { type AcceptedCall, runAudited } from './audited-execution.ts'
import type { GatewayDeps } from './gateway-deps.ts'

/**
 * How the caller's client can put the gateway's question to its user, on this request: not at
 * all (no elicitation, or a 2025 client over stateless HTTP, which cannot be sent a request);
 * `push`, a 2025 connection that can be sent `elicitation/create` while the call waits; `rounds`,
 * the 2026-07-28 protocol's input-required result, answered by the client calling again.
 */
export type ConsentChannel =
  | { kind: 'none' }
  | {
      kind: 'push'
      elicit(
        params: ElicitRequestFormParams,
        timeoutMs: number,
        signal: AbortSignal | undefined,
      ): Promise<ElicitResult>
    }
  | {
      kind: 'rounds'
      responses: Readonly<Record<string, unknown>> | undefined
      state: string | undefined
    }

/** The key of the gateway's question among a 2026 result's input requests. */
const QUESTION = 'consent'

/** What the model reads when the person said no (or did not answer): nothing was done. */
const DECLINED: Record<Exclude<ConsentAnswer, 'accepted'>, string> = {
  declined: 'The person said no when asked to confirm this, so nothing was done.',
  cancelled:
    'The question about this was dismissed without a yes (or what was approved no longer ' +
    'matches it), so nothing was done.',
  no_answer: 'The person did not answer in time when asked to confirm this, so nothing was done.',
}
const NO_QUESTION =
  'This answer matches no open question of the gateway (a different call, one already answered, ' +
  'or one too old), so nothing was done.'
const DO_NOT_RETRY = ' Tell them; do not try it again unless they ask.'

/**
 * The person's yes to a call whose tool needs it (`consent: 'server'`), asked by the gateway
 * itself with its own summary of the call, so that no model stands between the question and the
 * answer. Resolves when they said yes; a 2026 client gets the question back as the call's result
 * (and calls again with the answer); anything but yes throws `declined`, the answer recorded and
 * nothing run. Every question and answer is a `consent_requests` row and an audit row.
 */
export async function askConsent(
  deps: GatewayDeps,
  call: AcceptedCall,
  channel: Exclude<ConsentChannel, { kind: 'none' }>,
): Promise<InputRequiredResult | undefined> {
  const about: ConsentCall = {
    askedOf: call.identity.sub,
    tool: call.tool.name,
    arguments: call.arguments,
    conversationId: call.session?.conversationId ?? null,
  }
  const trace = { traceId: call.trace?.traceId }
  if (channel.kind === 'rounds' && channel.state !== undefined) {
    const said = answerOf(inputResponse(channel.responses, QUESTION))
    const taken = isUuid(channel.state)
      ? await consentRequests.answer(
          deps.db,
          channel.state,
          about,
          said,
          deps.consentTimeoutMs,
          trace,
        )
      : undefined
    return settle(taken, NO_QUESTION)
  }
  const summary = await summaryOf(deps, call)
  const id = await consentRequests.ask(deps.db, about, summary, {
    ...trace,
    era: channel.kind === 'rounds' ? '2026-07-28' : '2025',
  })
  const question = questionOf(summary, call.meta)
  if (channel.kind === 'rounds') {
    // Nothing waits on this side: an answer that never comes is closed as "no answer" at the limit.
    setTimeout(() => void closeUnanswered(deps, id), deps.consentTimeoutMs + 1000).unref()
    return inputRequired({
      inputRequests: { [QUESTION]: inputRequired.elicit(question) },
      requestState: id,
    })
  }
  let said: Exclude<ConsentAnswer, 'no_answer'> | undefined
  try {
    said = answerOf(await channel.elicit(question, deps.consentTimeoutMs, call.signal))
  } catch (error) {
    // No answer in time, the call cancelled, or the client gone: no.
    deps.logger.debug({ tool: about.tool, err: errorMessage(error) }, 'consent went unanswered')
  }
  // A yes that comes after the caller gave up on the call runs nothing.
  if (call.signal?.aborted) said = undefined
  const taken =
    said === undefined
      ? (await consentRequests.closeUnanswered(deps.db, 0, id, trace))[0]
      : await consentRequests.answer(deps.db, id, about, said, deps.consentTimeoutMs, trace)
  return settle(taken, said === undefined ? DECLINED.no_answer : NO_QUESTION)
}

/** Undefined for a yes; `declined` thrown for anything else, saying why. */
function settle(taken: AnsweredConsent | undefined, unanswered: string): undefined {
  if (taken?.answer === 'accepted') return undefined
  const why = taken === undefined ? unanswered : DECLINED[taken.answer]
  throw new CallerError('declined', `${why}${DO_NOT_RETRY}`)
}

/**
 * The question `id`, if still unanswered at the time limit, closed as "no answer" and recorded as
 * declined (one a restart left open is closed by retention). A failure is logged, never the call's.
 */
async function closeUnanswered(deps: GatewayDeps, id: string): Promise<void> {
  await consentRequests
    .closeUnanswered(deps.db, deps.consentTimeoutMs, id)
    .catch((error: unknown) =>
      deps.logger.warn({ err: errorMessage(error) }, 'unanswered consent could not be closed'),
    )
}

/** The gateway's own summary of the call: its preview, run read-only in the caller's identity. */
async function summaryOf(deps: GatewayDeps, call: AcceptedCall): Promise<ApprovalSummary> {
  const { data } = await runAudited(deps, { ...call, preview: true })
  return approvalSummarySchema.parse(data)
}

/** Yes or no, with the summary in words and as data, and the client's key when it sent one. */
function questionOf(
  summary: ApprovalSummary,
  meta: Readonly<Record<string, unknown>>,
): ElicitRequestFormParams {
  const key = meta[META.consentKey]
  const ask = summary.prompt ?? `Go ahead: ${summary.title}?`
  return {
    mode: 'form',
    message: `${ask}\n\n${summaryText(summary)}`,
    requestedSchema: {
      type: 'object',
      properties: {
        [CONSENT_FIELD]: {
          type: 'boolean',
          title: ask.slice(0, 300),
          description: 'Yes to go ahead; no, and nothing is done.',
        },
      },
      required: [CONSENT_FIELD],
    },
    _meta: {
      [CONSENT_META.summary]: summary,
      ...(typeof key === 'string' ? { [CONSENT_META.key]: key.slice(0, 200) } : {}),
    },
  }
}

/** Yes only for an accepted form that says yes. */
function answerOf(response: {
  kind?: string
  action?: string
  content?: Record<string, unknown> | undefined
}): Exclude<ConsentAnswer, 'no_answer'> {
  if (response.kind !== undefined && response.kind !== 'elicit') return 'cancelled'
  if (response.action === 'accept') {
    return response.content?.[CONSENT_FIELD] === true ? 'accepted' : 'declined'
  }
  return response.action === 'decline' ? 'declined' : 'cancelled'
}
