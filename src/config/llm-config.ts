import { z } from 'zod'

export const LLM_PROVIDERS = [
  'openai',
  'gemini',
  'groq',
  'openrouter',
  'deepseek',
  'compatible',
] as const
export type LlmProvider = (typeof LLM_PROVIDERS)[number]

/** Chat Completions (`/chat/completions`) or the Responses API (`/responses`). */
export type LlmApi = 'chat' | 'responses'

interface ProviderDefaults {
  baseUrl: string
  keyVariable: string
  modelVariable: `${Uppercase<Exclude<LlmProvider, 'compatible'>>}_DEFAULT_MODEL`
  model: string
  api: LlmApi
}

/** Each provider's OpenAI-compatible endpoint, key variable and default model (seed 002's names). */
export const PROVIDERS: Readonly<Record<Exclude<LlmProvider, 'compatible'>, ProviderDefaults>> = {
  openai: {
    baseUrl: 'https://api.openai.com/v1',
    keyVariable: 'OPENAI_API_KEY',
    modelVariable: 'OPENAI_DEFAULT_MODEL',
    model: 'gpt-4o-mini',
    api: 'responses',
  },
  gemini: {
    baseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai',
    keyVariable: 'GEMINI_API_KEY',
    modelVariable: 'GEMINI_DEFAULT_MODEL',
    model: 'gemini-2.5-flash',
    api: 'chat',
  },
  groq: {
    baseUrl: 'https://api.groq.com/openai/v1',
    keyVariable: 'GROQ_API_KEY',
    modelVariable: 'GROQ_DEFAULT_MODEL',
    model: 'llama-3.3-70b-versatile',
    api: 'chat',
  },
  openrouter: {
    baseUrl: 'https://openrouter.ai/api/v1',
    keyVariable: 'OPENROUTER_API_KEY',
    modelVariable: 'OPENROUTER_DEFAULT_MODEL',
    model: 'openai/gpt-oss-20b:free',
    api: 'chat',
  },
  deepseek: {
    baseUrl: 'https://api.deepseek.com/v1',
    keyVariable: 'DEEPSEEK_API_KEY',
    modelVariable: 'DEEPSEEK_DEFAULT_MODEL',
    model: 'deepseek-chat',
    api: 'chat',
  },
}

export type LlmConfig =
  | {
      configured: true
      provider: LlmProvider
      api: LlmApi
      model: string
      baseUrl: string
      /** Undefined only for a `compatible` server that needs none (Ollama, llama.cpp). */
      apiKey: string | undefined
      /** Retries after the first attempt, for 408/409/429/5xx and connection errors. */
      maxRetries: number
      timeoutMs: number
      /** USD per million tokens, when set (LLM_PRICE_*); otherwise the price table's. */
      price: { inputPerMillion: number; outputPerMillion: number } | undefined
    }
  | {
      configured: false
      provider: LlmProvider
      /** Why no model can be made, naming the variable to set. */
      problem: string
      /** Whether a setting asked for a model (LLM_PROVIDER, LLM_BASE_URL): then its absence is a fault. */
      requested: boolean
    }

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional())

const httpUrl = z
  .string()
  .refine(
    (value) => {
      try {
        const url = new URL(value)
        return url.protocol === 'http:' || url.protocol === 'https:'
      } catch {
        return false
      }
    },
    { error: 'must be an http:// or https:// URL' },
  )
  .transform((url) => url.replace(/\/+$/, ''))

const count = (min: number, max: number, fallback: number) => {
  const error = `must be an integer from ${min} to ${max}`
  return optional(
    z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error }),
  ).transform((value) => value ?? fallback)
}

const price = optional(
  z.coerce
    .number({ error: 'must be a price in USD per million tokens, e.g. 0.15' })
    .min(0, { error: 'must not be negative' })
    .max(10_000, { error: 'must be at most 10000 (USD per million tokens)' }),
)

/** The model's environment variables; `.env.example` documents each. */
export const llmEnv = {
  LLM_PROVIDER: optional(
    z.preprocess(
      (value) => (typeof value === 'string' ? value.trim().toLowerCase() : value),
      z.enum(LLM_PROVIDERS, { error: `must be one of ${LLM_PROVIDERS.join(', ')}` }),
    ),
  ),
  LLM_MODEL: optional(z.string().trim().min(1).max(200)),
  LLM_BASE_URL: optional(httpUrl),
  LLM_API_KEY: optional(z.string()),
  LLM_API: optional(z.enum(['chat', 'responses'], { error: 'must be chat or responses' })),
  LLM_MAX_RETRIES: count(0, 10, 3),
  LLM_TIMEOUT_MS: count(1000, 600_000, 60_000),
  LLM_PRICE_INPUT: price,
  LLM_PRICE_OUTPUT: price,
  GEMINI_API_KEY: optional(z.string()),
  GROQ_API_KEY: optional(z.string()),
  OPENROUTER_API_KEY: optional(z.string()),
  DEEPSEEK_API_KEY: optional(z.string()),
  OPENAI_DEFAULT_MODEL: optional(z.string().trim().min(1).max(200)),
  GEMINI_DEFAULT_MODEL: optional(z.string().trim().min(1).max(200)),
  GROQ_DEFAULT_MODEL: optional(z.string().trim().min(1).max(200)),
  OPENROUTER_DEFAULT_MODEL: optional(z.string().trim().min(1).max(200)),
  DEEPSEEK_DEFAULT_MODEL: optional(z.string().trim().min(1).max(200)),
}

type LlmEnv = z.output<z.ZodObject<typeof llmEnv>> & {
  OPENAI_API_KEY?: string | undefined
}

/**
 * The model the Worker talks to. A missing key is not a configuration error here (serving the
 * gateway needs no model): the result says what is missing, and making the model fails with it.
 */
export function llmConfig(
  e: LlmEnv,
  problems: Array<{ name: string; message: string }>,
): LlmConfig {
  const keyFor: Record<string, string | undefined> = {
    OPENAI_API_KEY: e.OPENAI_API_KEY,
    GEMINI_API_KEY: e.GEMINI_API_KEY,
    GROQ_API_KEY: e.GROQ_API_KEY,
    OPENROUTER_API_KEY: e.OPENROUTER_API_KEY,
    DEEPSEEK_API_KEY: e.DEEPSEEK_API_KEY,
  }
  const provider: LlmProvider =
    e.LLM_PROVIDER ?? (e.LLM_BASE_URL !== undefined ? 'compatible' : 'openai')
  const common = {
    maxRetries: e.LLM_MAX_RETRIES,
    timeoutMs: e.LLM_TIMEOUT_MS,
    price:
      e.LLM_PRICE_INPUT !== undefined || e.LLM_PRICE_OUTPUT !== undefined
        ? { inputPerMillion: e.LLM_PRICE_INPUT ?? 0, outputPerMillion: e.LLM_PRICE_OUTPUT ?? 0 }
        : undefined,
  }
  if (provider === 'compatible') {
    if (e.LLM_BASE_URL === undefined) {
      if (e.LLM_PROVIDER !== undefined) {
        problems.push({
          name: 'LLM_BASE_URL',
          message:
            'required when LLM_PROVIDER=compatible: the server’s OpenAI-compatible URL, e.g. http://127.0.0.1:11434/v1 for Ollama',
        })
      }
      return {
        configured: false,
        provider,
        problem: 'LLM_BASE_URL is not set',
        requested: e.LLM_PROVIDER !== undefined,
      }
    }
    if (e.LLM_MODEL === undefined) {
      return {
        configured: false,
        provider,
        problem:
          'LLM_MODEL is not set: name the model the server at LLM_BASE_URL serves (e.g. llama3.1)',
        requested: true,
      }
    }
    return {
      configured: true,
      provider,
      api: e.LLM_API ?? 'chat',
      model: e.LLM_MODEL,
      baseUrl: e.LLM_BASE_URL,
      apiKey: e.LLM_API_KEY,
      ...common,
    }
  }
  const defaults = PROVIDERS[provider]
  const apiKey = keyFor[defaults.keyVariable] ?? e.LLM_API_KEY
  if (apiKey === undefined) {
    return {
      configured: false,
      provider,
      problem:
        e.LLM_PROVIDER === undefined
          ? 'no model is configured: set OPENAI_API_KEY (OpenAI), or LLM_PROVIDER with its key ' +
            '(gemini: GEMINI_API_KEY, groq: GROQ_API_KEY, openrouter: OPENROUTER_API_KEY, ' +
            'deepseek: DEEPSEEK_API_KEY), or LLM_PROVIDER=compatible with LLM_BASE_URL and ' +
            'LLM_MODEL for a local server such as Ollama'
          : `${defaults.keyVariable} is not set (required when LLM_PROVIDER=${provider})`,
      requested: e.LLM_PROVIDER !== undefined,
    }
  }
  return {
    configured: true,
    provider,
    api: e.LLM_API ?? defaults.api,
    model: e.LLM_MODEL ?? e[defaults.modelVariable] ?? defaults.model,
    baseUrl: e.LLM_BASE_URL ?? defaults.baseUrl,
    apiKey,
    ...common,
  }
}
