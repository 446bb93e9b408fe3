import type { RecordedRequest } from './scripted-openai-server.ts'

/**
 * What a model request says about the turn it belongs to. The Worker sends its conversation's
 * whole history with every request (Chat Completions `messages`, Responses `input`), so the turn is
 * what follows the last user message in it.
 */
export interface CurrentTurn {
  /** The user's message that started the turn. */
  message: string | undefined
  /** The tools the model called since, in order. */
  calls: string[]
  /** What those calls returned, in order. */
  results: string[]
}

type Item = {
  role?: string
  type?: string
  content?: unknown
  name?: string
  output?: unknown
  tool_calls?: Array<{ function?: { name?: string } }>
}

export function currentTurn(request: RecordedRequest): CurrentTurn {
  const { items, message } = historyOf(request)
  let turn: CurrentTurn = { message, calls: [], results: [] }
  for (const item of items) {
    if (item.role === 'user') {
      turn = { message: textOf(item.content), calls: [], results: [] }
    } else if (item.role === 'tool') {
      turn.results.push(textOf(item.content))
    } else if (item.type === 'function_call_output') {
      turn.results.push(textOf(item.output))
    } else {
      turn.calls.push(...callsIn(item))
    }
  }
  return turn
}

/** What a request says about its whole conversation: how it opened, and every tool called since. */
export interface WholeConversation {
  /** The user's first message. */
  opening: string | undefined
  /** The tools the model called in all its turns, in order. */
  calls: string[]
  /** The user's messages so far: the current turn's number. */
  turns: number
}

export function wholeConversation(request: RecordedRequest): WholeConversation {
  const { items, message } = historyOf(request)
  let opening = message
  let turns = message === undefined ? 0 : 1
  const calls: string[] = []
  for (const item of items) {
    if (item.role === 'user') {
      opening ??= textOf(item.content)
      turns++
    }
    calls.push(...callsIn(item))
  }
  return { opening, calls, turns }
}

/** The request's history items, or the lone message a Responses request may send as a string. */
function historyOf(request: RecordedRequest): { items: Item[]; message: string | undefined } {
  const body = request.body as { messages?: Item[]; input?: Item[] | string }
  if (typeof body.input === 'string') return { items: [], message: body.input }
  return { items: body.messages ?? body.input ?? [], message: undefined }
}

/** The tools an item calls: a Chat Completions assistant message's, or a Responses call. */
function callsIn(item: Item): string[] {
  if (item.role === 'assistant' && item.tool_calls !== undefined) {
    return item.tool_calls.map((call) => call.function?.name ?? '')
  }
  return item.type === 'function_call' ? [item.name ?? ''] : []
}

/** The names of the tools the request offers the model. */
export function offeredTools(request: RecordedRequest): string[] {
  const tools = (request.body as { tools?: Array<{ name?: string; function?: { name?: string } }> })
    .tools
  return (tools ?? []).map((tool) => tool.function?.name ?? tool.name ?? '')
}

/** A message's text: a string, or the text of its parts (`text`, `input_text`, `output_text`). */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content
  if (Array.isArray(content)) {
    return content.map((part) => (part as { text?: unknown }).text ?? '').join('')
  }
  return JSON.stringify(content ?? '')
}
