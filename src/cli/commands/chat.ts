import { createInterface } from 'node:readline/promises'
import type { WorkerEvent } from '../../agent/worker-events.ts'
import { type GatewayChoice, openWorker } from '../../app/open-worker.ts'
import { type CliContext, loadRuntime } from '../cli-context.ts'
import { printTurn, uuidOption } from './ask.ts'

export interface ChatOptions {
  conversation?: string
  json?: boolean
  gateway?: GatewayChoice
}

type Approval = Extract<WorkerEvent, { type: 'approval_requested' }>

/**
 * `fte chat`: a conversation at the terminal. Replies stream as they are written, with a line per
 * tool call and skill; a call that needs approval asks here. `/new` starts a new conversation,
 * `/exit` (or Ctrl-D) leaves, at an approval's question too, leaving the call undecided. With
 * --json every event is one JSON line, and approvals are answered with `/approve <id>` or
 * `/reject <id> [reason]`.
 */
export async function chatCommand(context: CliContext, options: ChatOptions): Promise<number> {
  const resumed = uuidOption(options.conversation, '--conversation')
  const runtime = loadRuntime(context)
  // A conversation goes on: it carries on if the server it reaches the database through stops.
  const opened = await openWorker(runtime, options.gateway, undefined, { lasting: true })
  const json = options.json === true
  const input = createInterface({
    input: (context.stdin ?? process.stdin) as NodeJS.ReadableStream,
    terminal: false,
  })
  let conversationId = resumed
  const track = async function* (events: AsyncIterable<WorkerEvent>) {
    for await (const event of events) {
      if (event.type === 'turn_started') conversationId = event.conversationId
      yield event
    }
  }
  // Lines are buffered by the iterator, so input piped in ahead of the prompts is not lost.
  const lines = input[Symbol.asyncIterator]()
  const ask = async (question: string): Promise<string | undefined> => {
    if (!json) context.stdout.write(question)
    const next = await lines.next()
    return next.done === true ? undefined : next.value
  }
  try {
    if (!json) {
      context.stdout.write(
        `digital-fte chat · model ${opened.model.name} (${opened.model.provider}) · gateway ${opened.gateway.description}` +
          `${opened.userId === undefined ? '' : ` · you are ${opened.userId} (${runtime.config.gateway.stdio.role}; MCP_STDIO_SUB, MCP_STDIO_ROLE)`}\n` +
          'Type a message; /new starts a new conversation, /exit leaves.\n',
      )
    }
    for (;;) {
      const message = await ask('\nyou> ')
      if (message === undefined || isExit(message)) break
      const text = message.trim()
      if (text === '') continue
      if (text === '/new') {
        conversationId = undefined
        if (!json) context.stdout.write('(a new conversation starts with your next message)\n')
        continue
      }
      const decision = /^\/(approve|reject)\s+(\S+)\s*(.*)$/.exec(text)
      if (decision !== null) {
        await printTurn(
          context,
          opened.worker.decide({
            approvalId: decision[2] as string,
            decision: decision[1] === 'approve' ? 'approved' : 'rejected',
            reason: decision[3] === '' ? undefined : decision[3],
          }),
          json,
        )
        continue
      }
      let waiting: Approval[] = []
      await printTurn(
        context,
        track(opened.worker.send({ message: text, conversationId, signal: context.signal })),
        json,
        json ? undefined : (approval) => waiting.push(approval),
      )
      while (waiting.length > 0) {
        const current = waiting
        waiting = []
        for (const approval of current) {
          // Without the server's summary nobody can know what a yes would do: reject only.
          const answer =
            approval.summary === null ? 'n' : await ask(`Approve ${approval.tool}? [y/N] `)
          const undecided = [...current.slice(current.indexOf(approval)), ...waiting]
          if (answer === undefined || isExit(answer)) return leaveUndecided(context, undecided)
          const approved = /^y(es)?$/i.test(answer.trim())
          const reason = approved ? undefined : await ask('Reason for rejecting (optional): ')
          if (!approved && (reason === undefined || isExit(reason))) {
            return leaveUndecided(context, undecided)
          }
          await printTurn(
            context,
            opened.worker.decide({
              approvalId: approval.approvalId,
              decision: approved ? 'approved' : 'rejected',
              reason: reason?.trim() || undefined,
            }),
            false,
            (next) => waiting.push(next),
          )
        }
      }
    }
    if (!json) context.stdout.write('\n')
    return 0
  } finally {
    input.close()
    await opened.close()
  }
}

function isExit(line: string): boolean {
  return ['/exit', '/quit'].includes(line.trim())
}

/**
 * Leaving at an approval prompt decides nothing: the calls still wait, stored with their run, for
 * `fte approve` (or the web UI) to decide later. Nothing is approved or rejected for the person.
 */
function leaveUndecided(context: CliContext, waiting: Approval[]): number {
  context.stdout.write(
    `\nLeft without deciding; still waiting:\n${waiting
      .map(
        (a) => `  ${a.tool}: npm run fte -- approve ${a.approvalId}  (or --reject --reason "…")\n`,
      )
      .join('')}`,
  )
  return 0
}
