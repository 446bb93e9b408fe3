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

type NamedProvider = Uppercase<Exclude<LlmProvider, 'compatible'>>

interface ProviderDefaults {
  baseUrl: string
  keyVariable: `${NamedProvider}_API_KEY`
  modelVariable: `${NamedProvider}_DEFAULT_MODEL`
  model: string
  api: LlmApi
}

/** Each provider's OpenAI-compatible endpoint, key variable and default model. */
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
