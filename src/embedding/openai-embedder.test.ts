import { afterEach, describe, expect, it } from 'vitest'
import {
  embeddingsResponse,
  ScriptedOpenAiServer,
} from '../../test/support/scripted-openai-server.ts'
import { createOpenAiEmbedder, type OpenAiEmbedderOptions } from './openai-embedder.ts'

const KEY = 'sk-test-0123456789abcdef'

describe('the OpenAI-compatible embedder', () => {
  let server: ScriptedOpenAiServer
  afterEach(() => server?.stop())

  async function embedder(overrides: Partial<OpenAiEmbedderOptions> = {}, dimensions = 8) {
    server = await new ScriptedOpenAiServer((request) =>
      embeddingsResponse(request, dimensions),
    ).start()
    return createOpenAiEmbedder({
      baseUrl: server.url,
      apiKey: KEY,
      model: 'text-embedding-3-small',
      dimensions: 8,
      timeoutMs: 5_000,
      maxRetries: 2,
      batchSize: 100,
      ...overrides,
    })
  }

  it('sends many inputs per request, in batches, and returns vectors in input order', async () => {
    const e = await embedder()
    const texts = Array.from({ length: 250 }, (_, i) => 'x'.repeat(i % 13))
    const vectors = await e.embed(texts)
    expect(server.requests.map((r) => (r.body as { input: string[] }).input.length)).toEqual([
      100, 100, 50,
    ])
    expect(server.requests[0]?.path).toBe('/v1/embeddings')
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`)
    expect(server.requests[0]?.body).toMatchObject({
      model: 'text-embedding-3-small',
      encoding_format: 'float',
    })
    expect(vectors).toHaveLength(250)
    // The server lists its answers in reverse; each vector still belongs to its own input.
    for (const [i, text] of texts.entries()) {
      expect(vectors[i]?.[0]).toBeCloseTo((text.length % 7) / 7, 10)
    }
  })

  it('waits as long as Retry-After says on a 429, then succeeds', async () => {
    const e = await embedder()
    server.enqueue({
      status: 429,
      headers: { 'retry-after': '2' },
      body: { error: { message: 'slow down' } },
    })
    const started = performance.now()
    const vectors = await e.embed(['hello'])
    expect(vectors).toHaveLength(1)
    expect(server.requests).toHaveLength(2)
    const waited = (server.requests[1]?.at ?? 0) - (server.requests[0]?.at ?? 0)
    expect(waited).toBeGreaterThanOrEqual(1_950)
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_950)
  })

  it('gives up on repeated 5xx after a bounded number of attempts, with a clear error', async () => {
    const e = await embedder({ maxRetries: 2 })
    const failure = { status: 503, body: { error: { message: 'overloaded' } } }
    server.enqueue(failure, failure, failure, failure)
    await expect(e.embed(['hello'])).rejects.toThrow(/failed with status 503 after 3 attempts/)
    expect(server.requests).toHaveLength(3)
  })

  it('fails at once on 401, naming the variable and never the key', async () => {
    const e = await embedder()
    server.enqueue({ status: 401, body: { error: { message: `Incorrect API key provided` } } })
    const error = (await e.embed(['hello']).catch((err: unknown) => err)) as Error
    expect(error.message).toContain('refused the API key (401): check EMBEDDING_API_KEY')
    expect(error.message).not.toContain(KEY)
    expect(server.requests).toHaveLength(1)
  })

  it('refuses vectors whose dimension differs from the configured one', async () => {
    const e = await embedder({}, 12)
    await expect(e.embed(['hello'])).rejects.toThrow(
      /returns 12-dimensional vectors, but EMBEDDING_DIMENSIONS is 8: set it to 12/,
    )
  })

  it('times out a request that never answers, and does not hang', async () => {
    const e = await embedder({ timeoutMs: 300, maxRetries: 1 })
    server.enqueue({ hang: true }, { hang: true })
    await expect(e.embed(['hello'])).rejects.toThrow(/did not answer within 300 ms \(2 attempts\)/)
  })

  it('does not wait for a Retry-After longer than its limit', async () => {
    const e = await embedder({ maxRetryAfterSeconds: 60 })
    server.enqueue({
      status: 429,
      headers: { 'retry-after': '3600' },
      body: { error: { message: 'later' } },
    })
    await expect(e.embed(['hello'])).rejects.toThrow(/asks to wait 3600 s \(more than 60 s\)/)
    expect(server.requests).toHaveLength(1)
  })

  it('says so when nothing listens at the base URL', async () => {
    const e = createOpenAiEmbedder({
      baseUrl: 'http://127.0.0.1:1/v1',
      apiKey: undefined,
      model: 'nomic-embed-text',
      dimensions: 768,
      timeoutMs: 1_000,
      maxRetries: 0,
      batchSize: 10,
    })
    await expect(e.embed(['hello'])).rejects.toThrow(
      /cannot reach nomic-embed-text at http:\/\/127.0.0.1:1\/v1/,
    )
  })
})
