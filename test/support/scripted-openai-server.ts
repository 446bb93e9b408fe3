import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Embedder } from '../../src/embedding/embedder.ts'
import { createOpenAiEmbedder } from '../../src/embedding/openai-embedder.ts'

export interface ScriptedResponse {
  status?: number
  headers?: Record<string, string>
  body?: unknown
  /** Never answer (the connection stays open until the server closes). */
  hang?: boolean
  /** Drop the connection without an answer (a reset, as a crashed proxy does). */
  reset?: boolean
  /** Server-Sent Events to stream instead of a JSON body: each one's event name and data. */
  sse?: Array<{ event?: string; data: unknown }>
}

export interface RecordedRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: unknown
  at: number
}

/**
 * A local server that speaks the OpenAI HTTP API by replaying scripted responses, one per request,
 * and records what it was sent. When the script runs out, `fallback` answers.
 */
export class ScriptedOpenAiServer {
  readonly requests: RecordedRequest[] = []
  private readonly script: Array<
    ScriptedResponse | ((request: RecordedRequest) => ScriptedResponse)
  > = []
  private server: Server | undefined
  url = ''

  private readonly fallback: (request: RecordedRequest) => ScriptedResponse
  private readonly standing:
    | ((request: RecordedRequest) => ScriptedResponse | undefined)
    | undefined

  /**
   * `standing` answers first when it returns a response (a route that is not part of the script,
   * such as a model list); `fallback` answers when the script has run out.
   */
  private readonly record: boolean

  /** `record: false` keeps no requests (a benchmark's model, answering thousands). */
  constructor(
    fallback: (request: RecordedRequest) => ScriptedResponse,
    standing?: (request: RecordedRequest) => ScriptedResponse | undefined,
    options: { record?: boolean } = {},
  ) {
    this.fallback = fallback
    this.standing = standing
    this.record = options.record ?? true
  }

  enqueue(
    ...responses: Array<ScriptedResponse | ((request: RecordedRequest) => ScriptedResponse)>
  ): this {
    this.script.push(...responses)
    return this
  }

  /** Replies still waiting in the script. */
  get pending(): number {
    return this.script.length
  }

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => {
      let raw = ''
      req.on('data', (chunk: Buffer) => {
        raw += chunk.toString()
      })
      req.on('end', () => {
        const request: RecordedRequest = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: raw === '' ? undefined : JSON.parse(raw),
          at: performance.now(),
        }
        if (this.record) this.requests.push(request)
        const standing = this.standing?.(request)
        const next = standing ?? this.script.shift() ?? this.fallback
        const response = typeof next === 'function' ? next(request) : next
        if (response.hang) return
        if (response.reset) {
          req.socket.resetAndDestroy()
          return
        }
        if (response.sse !== undefined) {
          res.writeHead(response.status ?? 200, {
            'content-type': 'text/event-stream',
            ...response.headers,
          })
          for (const { event, data } of response.sse) {
            const payload = typeof data === 'string' ? data : JSON.stringify(data)
            res.write(`${event === undefined ? '' : `event: ${event}\n`}data: ${payload}\n\n`)
          }
          res.end()
          return
        }
        res.writeHead(response.status ?? 200, {
          'content-type': 'application/json',
          ...response.headers,
        })
        res.end(JSON.stringify(response.body ?? {}))
      })
    })
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`
    return this
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections()
    await new Promise<void>((resolve) => this.server?.close(() => resolve()))
  }
}

/** An `/embeddings` answer: a deterministic vector per input, listed in reverse to test ordering. */
export function embeddingsResponse(request: RecordedRequest, dimensions: number): ScriptedResponse {
  const input = (request.body as { input: string[] }).input
  const data = input.map((text, index) => ({
    object: 'embedding',
    index,
    embedding: Array.from({ length: dimensions }, (_, d) => ((text.length + d) % 7) / 7),
  }))
  return {
    body: {
      object: 'list',
      model: (request.body as { model: string }).model,
      data: data.reverse(),
      usage: { prompt_tokens: input.length, total_tokens: input.length },
    },
  }
}

/** An OpenAI-compatible embedder pointed at `server`, failing fast: no retries. */
export function embedderFor(server: ScriptedOpenAiServer, dimensions = 8): Embedder {
  return createOpenAiEmbedder({
    baseUrl: server.url,
    apiKey: 'test-key',
    model: 'text-embedding-3-small',
    dimensions,
    timeoutMs: 2000,
    maxRetries: 0,
    batchSize: 16,
  })
}
