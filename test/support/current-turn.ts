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
  const body = request.body as { messages?: Item[]; input?: Item[] | string }
  const items = body.messages ?? (typeof body.input === 'string' ? [] : (body.input ?? []))
  let turn: CurrentTurn = {
    message: typeof body.input === 'string' ? body.input : undefined,
    calls: [],
    results: [],
  }
  for (const item of items) {
    if (item.role === 'user') {
      turn = { message: textOf(item.content), calls: [], results: [] }
    } else if (item.role === 'assistant' && item.tool_calls !== undefined) {
      turn.calls.push(...item.tool_calls.map((call) => call.function?.name ?? ''))
    } else if (item.role === 'tool') {
      turn.results.push(textOf(item.content))
    } else if (item.type === 'function_call') {
      turn.calls.push(item.name ?? '')
    } else if (item.type === 'function_call_output') {
      turn.results.push(textOf(item.output))
    }
  }
  return turn
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
