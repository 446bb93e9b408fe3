import { type Model, OpenAIChatCompletionsModel, OpenAIResponsesModel } from '@openai/agents'
import OpenAI from 'openai'
import type { LlmConfig } from '../config/sections/llm.ts'
import type { LlmApi, LlmProvider } from '../config/sections/llm-providers.ts'
import { ConfigError } from '../lib/errors.ts'

export interface WorkerModel {
  model: Model
  /** The OpenAI-compatible client the model speaks through (also lists models for `fte doctor`). */
  client: OpenAI
  provider: LlmProvider
  api: LlmApi
  name: string
  baseUrl: string
}

export interface ModelFactoryOptions {
  /** Replaces the global fetch (tests, proxies). */
  fetch?: typeof fetch
}

/**
 * The model factory: one OpenAI-compatible client per configuration, wrapped as the Agents SDK's
 * Chat Completions or Responses model. Retries belong to the client, which retries 408/409/429/5xx
 * and dropped connections with jittered exponential backoff, honours `Retry-After` (up to a
 * minute), and gives up after `maxRetries`. An unconfigured model fails with the variable to set.
 */
export function createModel(llm: LlmConfig, options: ModelFactoryOptions = {}): WorkerModel {
  if (!llm.configured) throw ConfigError.listing([llm.problem])
  const client = new OpenAI({
    // A local server (Ollama, llama.cpp) needs no key, but the client insists on one.
    apiKey: llm.apiKey ?? 'no-key',
    baseURL: llm.baseUrl,
    maxRetries: llm.maxRetries,
    timeout: llm.timeoutMs,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  })
  const model =
    llm.api === 'responses'
      ? new OpenAIResponsesModel(client, llm.model)
      : new OpenAIChatCompletionsModel(client, llm.model)
  return {
    model,
    client,
    provider: llm.provider,
    api: llm.api,
    name: llm.model,
    baseUrl: llm.baseUrl,
  }
}
