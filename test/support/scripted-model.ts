import { randomUUID } from 'node:crypto'
import type { RecordedRequest, ScriptedResponse } from './scripted-openai-server.ts'
import { ScriptedOpenAiServer } from './scripted-openai-server.ts'

/** One model answer: text, tool calls, or both, in whichever API and mode the client asked for. */
export interface ModelTurn {
  text?: string
  toolCalls?: Array<{ name: string; arguments: Record<string, unknown>; id?: string }>
  usage?: { input: number; output: number }
}

export type TurnScript = ModelTurn | ((request: RecordedRequest) => ModelTurn)

/**
 * A scripted OpenAI-compatible model: `/chat/completions` and `/responses`, streamed or not, and
 * `/models` (outside the script). When the script runs out, `unscripted` answers; by default a 400
 * (not retried), so a test that asks the model more than it planned fails loudly. `record: false`
 * keeps no requests (a model left running for a demo).
 */
export function scriptedModel(
  options: {
    models?: (request: RecordedRequest) => ScriptedResponse
    unscripted?: (request: RecordedRequest) => ScriptedResponse
    record?: boolean
  } = {},
): ScriptedOpenAiServer {
  const models =
    options.models ??
    (() => ({
      body: { object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', owned_by: 'test' }] },
    }))
  return new ScriptedOpenAiServer(
    options.unscripted ??
      (() => ({
        status: 400,
        body: {
          error: { message: 'the scripted model has no more replies', type: 'invalid_request' },
        },
      })),
    // The model list is not part of any script: `fte doctor` may ask at any time.
    (request) =>
      request.method === 'GET' && request.path.endsWith('/models') ? models(request) : undefined,
    { record: options.record ?? true },
  )
}

/** The scripted response for one model turn, in the request's API and mode. */
export function reply(script: TurnScript): (request: RecordedRequest) => ScriptedResponse {
  return (request) => {
    const turn = typeof script === 'function' ? script(request) : script
    const body = request.body as { model?: string; stream?: boolean }
    const model = body.model ?? 'scripted-model'
    const calls = (turn.toolCalls ?? []).map((call) => ({
      id: call.id ?? `call_${randomUUID().replaceAll('-', '').slice(0, 12)}`,
      name: call.name,
      arguments: JSON.stringify(call.arguments),
    }))
    const usage = turn.usage ?? { input: 100, output: 20 }
    if (request.path.endsWith('/responses')) {
      return responsesReply(model, turn.text, calls, usage, body.stream === true)
    }
    return chatReply(model, turn.text, calls, usage, body.stream === true)
  }
}

type Call = { id: string; name: string; arguments: string }

function chatReply(
  model: string,
  text: string | undefined,
  calls: Call[],
  usage: { input: number; output: number },
  stream: boolean,
): ScriptedResponse {
  const id = `chatcmpl-${randomUUID()}`
  const created = Math.floor(Date.now() / 1000)
  const finish = calls.length > 0 ? 'tool_calls' : 'stop'
  const wireUsage = {
    prompt_tokens: usage.input,
    completion_tokens: usage.output,
    total_tokens: usage.input + usage.output,
  }
  const toolCalls = calls.map((call) => ({
    id: call.id,
    type: 'function',
    function: { name: call.name, arguments: call.arguments },
  }))
  if (!stream) {
    return {
      body: {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: text ?? null,
              ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
            },
            finish_reason: finish,
          },
        ],
        usage: wireUsage,
      },
    }
  }
  const chunk = (delta: unknown, finishReason: string | null = null) => ({
    data: {
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [{ index: 0, delta, finish_reason: finishReason }],
    },
  })
  const events: Array<{ data: unknown }> = [chunk({ role: 'assistant', content: '' })]
  for (const piece of pieces(text ?? '')) events.push(chunk({ content: piece }))
  calls.forEach((call, index) => {
    events.push(
      chunk({
        tool_calls: [
          { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } },
        ],
      }),
      chunk({ tool_calls: [{ index, function: { arguments: call.arguments } }] }),
    )
  })
  events.push(chunk({}, finish))
  events.push({
    data: { id, object: 'chat.completion.chunk', created, model, choices: [], usage: wireUsage },
  })
  events.push({ data: '[DONE]' })
  return { sse: events }
}

function responsesReply(
  model: string,
  text: string | undefined,
  calls: Call[],
  usage: { input: number; output: number },
  stream: boolean,
): ScriptedResponse {
  const id = `resp_${randomUUID().replaceAll('-', '')}`
  const messageId = `msg_${randomUUID().replaceAll('-', '')}`
  const output: Array<Record<string, unknown>> = []
  if (text !== undefined) {
    output.push({
      type: 'message',
      id: messageId,
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text, annotations: [] }],
    })
  }
  for (const call of calls) {
    output.push({
      type: 'function_call',
      id: `fc_${call.id}`,
      call_id: call.id,
      name: call.name,
      arguments: call.arguments,
      status: 'completed',
    })
  }
  const response = {
    id,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status: 'completed',
    model,
    output,
    usage: {
      input_tokens: usage.input,
      output_tokens: usage.output,
      total_tokens: usage.input + usage.output,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens_details: { reasoning_tokens: 0 },
    },
  }
  if (!stream) return { body: response }
  const events: Array<{ event: string; data: unknown }> = []
  let sequence = 0
  const emit = (type: string, data: Record<string, unknown>) =>
    events.push({ event: type, data: { type, sequence_number: sequence++, ...data } })
  emit('response.created', {
    response: { ...response, status: 'in_progress', output: [], usage: null },
  })
  output.forEach((item, index) => {
    if (item.type === 'message') {
      emit('response.output_item.added', {
        output_index: index,
        item: { ...item, status: 'in_progress', content: [] },
      })
      for (const piece of pieces(text ?? '')) {
        emit('response.output_text.delta', {
          item_id: messageId,
          output_index: index,
          content_index: 0,
          delta: piece,
        })
      }
    } else {
      emit('response.output_item.added', { output_index: index, item })
    }
    emit('response.output_item.done', { output_index: index, item })
  })
  emit('response.completed', { response })
  return { sse: events }
}

/** Text cut into a few deltas, as a model streams it. */
function pieces(text: string): string[] {
  const words = text.match(/\S+\s*/g) ?? []
  const out: string[] = []
  for (let i = 0; i < words.length; i += 3) out.push(words.slice(i, i + 3).join(''))
  return out
}
