import { z } from 'zod'
import {
  httpUrl,
  integer,
  lowerCase,
  optionalSetting,
  problem,
  setting,
  withoutTrailingSlashes,
} from '../settings.ts'
import { LLM_PROVIDERS, type LlmApi, type LlmProvider, PROVIDERS } from './llm-providers.ts'

const modelName = optionalSetting(z.string().trim().min(1).max(200))

const price = optionalSetting(
  z.coerce
    .number({ error: 'must be a price in USD per million tokens, e.g. 0.15' })
    .min(0, { error: 'must not be negative' })
    .max(10_000, { error: 'must be at most 10000 (USD per million tokens)' }),
)

/**
 * The model the Worker talks to. A missing key is not a configuration error here (serving the
 * gateway needs no model): the result says what is missing, and making the model fails with it.
 */
export const llmSection = z
  .object({
    LLM_PROVIDER: optionalSetting(
      z.preprocess(
        lowerCase,
        z.enum(LLM_PROVIDERS, { error: `must be one of ${LLM_PROVIDERS.join(', ')}` }),
      ),
    ),
    LLM_MODEL: modelName,
    LLM_BASE_URL: optionalSetting(httpUrl.transform(withoutTrailingSlashes)),
    LLM_API_KEY: optionalSetting(z.string()),
    LLM_API: optionalSetting(z.enum(['chat', 'responses'], { error: 'must be chat or responses' })),
    LLM_MAX_RETRIES: setting(integer(0, 10), 3),
    LLM_TIMEOUT_MS: setting(integer(1000, 600_000), 60_000),
    LLM_PRICE_INPUT: price,
    LLM_PRICE_OUTPUT: price,
    // Also the embeddings' key (the embedding section reads it too).
    OPENAI_API_KEY: optionalSetting(z.string()),
    GEMINI_API_KEY: optionalSetting(z.string()),
    GROQ_API_KEY: optionalSetting(z.string()),
    OPENROUTER_API_KEY: optionalSetting(z.string()),
    DEEPSEEK_API_KEY: optionalSetting(z.string()),
    OPENAI_DEFAULT_MODEL: modelName,
    GEMINI_DEFAULT_MODEL: modelName,
    GROQ_DEFAULT_MODEL: modelName,
    OPENROUTER_DEFAULT_MODEL: modelName,
    DEEPSEEK_DEFAULT_MODEL: modelName,
  })
  .transform((e, ctx) => {
    const provider: LlmProvider =
      e.LLM_PROVIDER ?? (e.LLM_BASE_URL !== undefined ? 'compatible' : 'openai')
    const providerNamed = e.LLM_PROVIDER !== undefined
    const unconfigured = (why: string, requested: boolean) => ({
      configured: false as const,
      provider,
      /** Why no model can be made, naming the variable to set. */
      problem: why,
      /** Whether a setting asked for a model (LLM_PROVIDER, LLM_BASE_URL): then its absence is a fault. */
      requested,
    })
    const configured = (chosen: {
      api: LlmApi
      model: string
      baseUrl: string
      /** Undefined only for a `compatible` server that needs none (Ollama, llama.cpp). */
      apiKey: string | undefined
    }) => ({
      configured: true as const,
      provider,
      ...chosen,
      /** Retries after the first attempt, for 408/409/429/5xx and connection errors. */
      maxRetries: e.LLM_MAX_RETRIES,
      timeoutMs: e.LLM_TIMEOUT_MS,
      /** USD per million tokens, when set (LLM_PRICE_*); otherwise the price table's. */
      price:
        e.LLM_PRICE_INPUT !== undefined || e.LLM_PRICE_OUTPUT !== undefined
          ? { inputPerMillion: e.LLM_PRICE_INPUT ?? 0, outputPerMillion: e.LLM_PRICE_OUTPUT ?? 0 }
          : undefined,
    })

    if (provider === 'compatible') {
      if (e.LLM_BASE_URL === undefined) {
        if (providerNamed) {
          problem(
            ctx,
            'LLM_BASE_URL',
            'required when LLM_PROVIDER=compatible: the server’s OpenAI-compatible URL, e.g. http://127.0.0.1:11434/v1 for Ollama',
          )
        }
        return unconfigured('LLM_BASE_URL is not set', providerNamed)
      }
      if (e.LLM_MODEL === undefined) {
        return unconfigured(
          'LLM_MODEL is not set: name the model the server at LLM_BASE_URL serves (e.g. llama3.1)',
          true,
        )
      }
      return configured({
        api: e.LLM_API ?? 'chat',
        model: e.LLM_MODEL,
        baseUrl: e.LLM_BASE_URL,
        apiKey: e.LLM_API_KEY,
      })
    }
    const defaults = PROVIDERS[provider]
    const apiKey = e[defaults.keyVariable] ?? e.LLM_API_KEY
    if (apiKey === undefined) {
      return unconfigured(
        providerNamed
          ? `${defaults.keyVariable} is not set (required when LLM_PROVIDER=${provider})`
          : 'no model is configured: set OPENAI_API_KEY (OpenAI), or LLM_PROVIDER with its key ' +
              '(gemini: GEMINI_API_KEY, groq: GROQ_API_KEY, openrouter: OPENROUTER_API_KEY, ' +
              'deepseek: DEEPSEEK_API_KEY), or LLM_PROVIDER=compatible with LLM_BASE_URL and ' +
              'LLM_MODEL for a local server such as Ollama',
        providerNamed,
      )
    }
    return configured({
      api: e.LLM_API ?? defaults.api,
      model: e.LLM_MODEL ?? e[defaults.modelVariable] ?? defaults.model,
      baseUrl: e.LLM_BASE_URL ?? defaults.baseUrl,
      apiKey,
    })
  })

export type LlmConfig = z.output<typeof llmSection>
