import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  AuthenticationError,
  NotFoundError as ModelNotFoundError,
  PermissionDeniedError,
  RateLimitError,
} from 'openai'
import { CallerError, FteError, SystemError } from '../lib/errors.ts'
import type { Embedder } from './embedder.ts'

export interface OpenAiEmbedderOptions {
  /** e.g. https://api.openai.com/v1, http://127.0.0.1:11434/v1 (Ollama), https://openrouter.ai/api/v1 */
  baseUrl: string
  /** Unset for servers that need none (a local Ollama). */
  apiKey: string | undefined
  model: string
  dimensions: number
  /** Per request. */
  timeoutMs: number
  /** Retries after the first attempt on 408/409/429/5xx and connection errors. */
  maxRetries: number
  /** Inputs per request. */
  batchSize: number
  /** A longer Retry-After is not waited for: the call fails at once and says so. */
  maxRetryAfterSeconds?: number
}

/**
 * Any OpenAI-compatible `/embeddings` endpoint, through the official SDK: it batches our inputs,
 * times out each request, and retries with jittered exponential backoff, honouring `Retry-After`.
 */
export function createOpenAiEmbedder(options: OpenAiEmbedderOptions): Embedder {
  const maxRetryAfter = options.maxRetryAfterSeconds ?? 60
  const client = new OpenAI({
    baseURL: options.baseUrl,
    // The SDK insists on a key; servers without auth ignore this one.
    apiKey: options.apiKey ?? 'no-key',
    timeout: options.timeoutMs,
    maxRetries: options.maxRetries,
    fetch: refuseLongRetryAfter(maxRetryAfter),
  })
  const where = `${options.model} at ${options.baseUrl}`

  return {
    model: options.model,
    dimensions: options.dimensions,
    async embed(texts) {
      const vectors: number[][] = []
      for (let i = 0; i < texts.length; i += options.batchSize) {
        const batch = texts.slice(i, i + options.batchSize)
        let response: OpenAI.Embeddings.CreateEmbeddingResponse
        try {
          response = await client.embeddings.create({
            model: options.model,
            input: [...batch],
            encoding_format: 'float',
          })
        } catch (error) {
          throw describe(error, where, options, maxRetryAfter)
        }
        const data = [...response.data].sort((a, b) => a.index - b.index)
        if (data.length !== batch.length) {
          throw new SystemError(
            'embedding_bad_response',
            `${where} returned ${data.length} embeddings for ${batch.length} inputs`,
          )
        }
        for (const item of data) {
          if (item.embedding.length !== options.dimensions) {
            throw new CallerError(
              'embedding_dimension_mismatch',
              `${where} returns ${item.embedding.length}-dimensional vectors, but ` +
                `EMBEDDING_DIMENSIONS is ${options.dimensions}: set it to ${item.embedding.length} ` +
                '(and re-embed with `fte embed --reembed` if the corpus holds other vectors)',
            )
          }
          vectors.push(item.embedding)
        }
      }
      return vectors
    },
  }
}

function describe(
  error: unknown,
  where: string,
  options: OpenAiEmbedderOptions,
  maxRetryAfter: number,
): FteError {
  const attempts = options.maxRetries + 1
  if (error instanceof AuthenticationError || error instanceof PermissionDeniedError) {
    return new CallerError(
      'embedding_auth_failed',
      `${where} refused the API key (${error.status}): check EMBEDDING_API_KEY`,
      { cause: error },
    )
  }
  if (error instanceof ModelNotFoundError) {
    return new CallerError(
      'embedding_model_not_found',
      `${where}: the endpoint or model was not found (404); check EMBEDDING_BASE_URL and EMBEDDING_MODEL`,
      { cause: error },
    )
  }
  if (error instanceof RateLimitError) {
    const retryAfter = Number(error.headers?.get('retry-after'))
    return new SystemError(
      'embedding_rate_limited',
      Number.isFinite(retryAfter) && retryAfter > maxRetryAfter
        ? `${where} is rate limited and asks to wait ${retryAfter} s (more than ${maxRetryAfter} s); try again later`
        : `${where} is still rate limited after ${attempts} attempts`,
      { cause: error },
    )
  }
  if (error instanceof APIConnectionTimeoutError) {
    return new SystemError(
      'embedding_timeout',
      `${where} did not answer within ${options.timeoutMs} ms (${attempts} attempts)`,
      { cause: error },
    )
  }
  if (error instanceof APIConnectionError) {
    return new SystemError(
      'embedding_unavailable',
      `cannot reach ${where} after ${attempts} attempts: ${error.message}`,
      { cause: error },
    )
  }
  if (error instanceof APIError) {
    return new SystemError(
      'embedding_failed',
      `${where} failed with status ${error.status ?? 'unknown'}${(error.status ?? 0) >= 500 ? ` after ${attempts} attempts` : ''}: ${error.message}`,
      { cause: error },
    )
  }
  return error instanceof FteError
    ? error
    : new SystemError('embedding_failed', `${where} failed: ${(error as Error).message}`, {
        cause: error,
      })
}

/** Marks a 429 whose Retry-After is too long as not retryable, so no call waits for hours. */
function refuseLongRetryAfter(maxSeconds: number): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init)
    const retryAfter = Number(response.headers.get('retry-after'))
    if (response.status !== 429 || !(retryAfter > maxSeconds)) return response
    const headers = new Headers(response.headers)
    headers.set('x-should-retry', 'false')
    return new Response(response.body, { status: response.status, headers })
  }
}
