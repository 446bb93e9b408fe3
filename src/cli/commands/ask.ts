import type { WorkerEvent } from '../../agent/worker-events.ts'
import { type GatewayChoice, openPreparedDatabase, openWorker } from '../../app/open-worker.ts'
import { InvalidInputError } from '../../lib/errors.ts'
import { type ApprovalSummary, summaryText } from '../../protocol/approval-summary.ts'
import { type CliContext, loadRuntime } from '../cli-context.ts'
import { decideStaffRequestCommand } from './inbox.ts'

export interface AskOptions {
  conversation?: string
  json?: boolean
  gateway?: GatewayChoice
}

export interface ApproveOptions {
  reject?: boolean
  reason?: string
  /** Who decides a staff request (a staff subject); the pack's demo staff person by default. */
  as?: string
  json?: boolean
  gateway?: GatewayChoice
}

/** `fte ask "…"`: one message, its turn streamed; a pause prints how to approve. */
export async function askCommand(
  context: CliContext,
  message: string,
  options: AskOptions,
): Promise<number> {
  if (message.trim() === '') {
    throw new InvalidInputError(
      'say what to ask, in quotes: fte ask "…" (fte ask --help shows an example)',
    )
  }
  const conversationId = uuidOption(options.conversation, '--conversation')
  const runtime = loadRuntime(context)
  const opened = await openWorker(runtime, options.gateway)
  try {
    const events = opened.worker.send({
      message,
      conversationId,
      signal: context.signal,
    })
    return await printTurn(context, events, options.json === true)
  } finally {
    await opened.close()
  }
}

/** `fte approve <id>` (or `--reject`): the decision, and the rest of the run when it resumes. */
export async function approveCommand(
  context: CliContext,
  approvalId: string,
  options: ApproveOptions,
): Promise<number> {
  const id = uuidOption(approvalId, 'the approval id') as string
  const runtime = loadRuntime(context)
  // One opening of the database, whichever the id names: a request the gateway put to staff is
  // decided here, as staff; anything else is the Worker's, which then owns the database.
  const prepared = await openPreparedDatabase(runtime)
  let staffDecision: number | undefined
  try {
    staffDecision = await decideStaffRequestCommand(context, runtime, prepared, id, options)
  } catch (error) {
    await prepared.db.close().catch(() => {})
    throw error
  }
  if (staffDecision !== undefined) {
    await prepared.db.close()
    return staffDecision
  }
  const opened = await openWorker(runtime, options.gateway, prepared)
  try {
    const events = opened.worker.decide({
      approvalId: id,
      decision: options.reject === true ? 'rejected' : 'approved',
      reason: options.reason,
      signal: context.signal,
    })
    // The decision was made on the command line: say in full what it was on.
    return await printTurn(context, events, options.json === true, undefined, { decided: 'full' })
  } finally {
    await opened.close()
  }
}

/** A UUID given on the command line, lowercased; a usage error (exit 2) when it is not one. */
export function uuidOption(value: string | undefined, what: string): string | undefined {
  if (value === undefined) return undefined
  const id = value.trim().toLowerCase()
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
    throw new InvalidInputError(`${what} must be a UUID (as printed by fte), not ${value}`)
  }
  return id
}

/**
 * An approval's summary as the gateway built it, indented under its line; or why there is none.
 */
function summaryBlock(summary: ApprovalSummary | null): string {
  const text =
    summary === null
      ? 'The server could not say what this request would do (its summary is unavailable), so\n' +
        'it cannot be approved: reject it.'
      : summaryText(summary)
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n')
}

/**
 * Prints a turn's events: as JSON lines, or for a person (streamed text, a line per tool call and
 * skill, approval requests with the server's summary and the commands that answer them). With
 * `decided: 'full'` a decision is printed with the whole summary it was on, not only its title.
 * The exit code: 0 when the turn completed or paused, 1 when it failed.
 */
export async function printTurn(
  context: CliContext,
  events: AsyncIterable<WorkerEvent>,
  json: boolean,
  onApproval?: (event: Extract<WorkerEvent, { type: 'approval_requested' }>) => void,
  options: { decided?: 'title' | 'full' } = {},
): Promise<number> {
  const out = context.stdout
  let code = 0
  let midLine = false
  let streamed = ''
  const line = (text: string) => {
    if (midLine) out.write('\n')
    midLine = false
    out.write(`${text}\n`)
  }
  for await (const event of events) {
    if (json) {
      out.write(`${JSON.stringify(event)}\n`)
      if (event.type === 'turn_ended' && event.status === 'failed') code = 1
      if (event.type === 'error' && ['not_found', 'approval_pending'].includes(event.code)) code = 1
      continue
    }
    switch (event.type) {
      case 'turn_started':
        if (!event.resumed) context.stderr.write(`conversation ${event.conversationId}\n`)
        break
      case 'text_delta':
        out.write(event.delta)
        streamed += event.delta
        midLine = !event.delta.endsWith('\n')
        break
      case 'tool_call':
        streamed = ''
        line(`  → ${event.name} ${JSON.stringify(event.arguments)}`)
        break
      case 'tool_result':
        if (event.summary !== '') {
          line(`    ${event.status === 'error' ? '✗' : '←'} ${event.summary}`)
        }
        if (event.staffRequest !== undefined) {
          line(
            `  ⧗ sent to staff: request ${event.staffRequest}\n` +
              `    decide it (as staff): npm run fte -- approve ${event.staffRequest}  (or --reject --reason "…")`,
          )
        }
        break
      case 'skill_activated':
        line(`  ◆ skill ${event.name}`)
        break
      case 'guardrail':
        line(`  ! guardrail ${event.guardrail}: ${event.detail}`)
        break
      case 'approval_requested':
        line(`  ? ${event.tool} waits for your approval`)
        line(summaryBlock(event.summary))
        if (onApproval === undefined) {
          line(
            `    approve: npm run fte -- approve ${event.approvalId}\n` +
              `    reject:  npm run fte -- approve ${event.approvalId} --reject --reason "…"`,
          )
        } else {
          onApproval(event)
        }
        break
      case 'approval_recorded':
        line(
          `  ${event.decision === 'approved' ? '✓ approved' : '✗ rejected'}` +
            `: ${event.summary?.title ?? event.tool}` +
            (event.waiting > 0 ? ` (${event.waiting} more waiting)` : ''),
        )
        if (options.decided === 'full') line(summaryBlock(event.summary))
        break
      case 'message':
        // The streamed text was the reply, unless the Worker replaced it (a guardrail, a failure).
        if (streamed.trim() === event.text.trim()) line('')
        else line(event.text)
        streamed = ''
        midLine = false
        break
      case 'error':
        context.stderr.write(`fte: ${event.message}\n`)
        if (['not_found', 'invalid_input', 'approval_pending'].includes(event.code)) code = 1
        break
      case 'held':
        line(`  ⏸ ${event.by} (a person) holds this conversation: the message went to them`)
        break
      case 'turn_ended':
        if (event.status === 'failed') code = 1
        break
    }
  }
  return code
}
