import { z } from 'zod'
import { httpUrl, integer, optionalSetting, problem, setting } from '../settings.ts'

/**
 * The local embedder's model name; other names need EMBEDDING_PROVIDER=openai. A pack with a
 * synonym table adds its name to it (`fte-local-lexical-v2+support-v1`).
 */
export const LOCAL_EMBEDDING_MODEL = 'fte-local-lexical-v2'
const OPENAI_BASE_URL = 'https://api.openai.com/v1'
/** Dimensions of well-known models, so EMBEDDING_DIMENSIONS can stay unset for them. */
const KNOWN_DIMENSIONS: Readonly<Record<string, number>> = {
  [LOCAL_EMBEDDING_MODEL]: 1024,
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
  'nomic-embed-text': 768,
  'mxbai-embed-large': 1024,
  'all-minilm': 384,
}

export const embeddingSection = z
  .object({
    EMBEDDING_PROVIDER: setting(
      z.enum(['local', 'openai'], { error: 'must be local or openai (any OpenAI-compatible API)' }),
      'local',
    ),
    EMBEDDING_MODEL: optionalSetting(
      z.string().max(200, { error: 'must be at most 200 characters' }),
    ),
    EMBEDDING_DIMENSIONS: optionalSetting(integer(1, 4000)),
    EMBEDDING_BASE_URL: setting(httpUrl, OPENAI_BASE_URL),
    EMBEDDING_API_KEY: optionalSetting(z.string()),
    // Also the `openai` model provider's key (the llm section reads it too).
    OPENAI_API_KEY: optionalSetting(z.string()),
    EMBEDDING_TIMEOUT_MS: setting(integer(100, 600_000), 30_000),
    EMBEDDING_MAX_RETRIES: setting(integer(0, 10), 4),
    EMBEDDING_BATCH_SIZE: setting(integer(1, 2048), 96),
  })
  .transform((e, ctx) => {
    if (e.EMBEDDING_PROVIDER === 'local') {
      const model = e.EMBEDDING_MODEL ?? LOCAL_EMBEDDING_MODEL
      if (model !== LOCAL_EMBEDDING_MODEL) {
        problem(
          ctx,
          'EMBEDDING_MODEL',
          model.startsWith('fte-local-lexical-')
            ? `${model} is not the local embedder's name (${LOCAL_EMBEDDING_MODEL}, plus the pack's lexicon): leave EMBEDDING_MODEL unset; a corpus of an earlier local model is moved on start`
            : `the local embedder is ${LOCAL_EMBEDDING_MODEL}; for ${model} set EMBEDDING_PROVIDER=openai`,
        )
        return z.NEVER
      }
      return { provider: 'local' as const, model, dimensions: e.EMBEDDING_DIMENSIONS ?? 1024 }
    }
    const model = e.EMBEDDING_MODEL ?? 'text-embedding-3-small'
    const dimensions = e.EMBEDDING_DIMENSIONS ?? KNOWN_DIMENSIONS[model]
    const apiKey = e.EMBEDDING_API_KEY ?? e.OPENAI_API_KEY
    if (dimensions === undefined) {
      problem(
        ctx,
        'EMBEDDING_DIMENSIONS',
        `required for ${model} (the length of the vectors it returns)`,
      )
    }
    if (apiKey === undefined && e.EMBEDDING_BASE_URL === OPENAI_BASE_URL) {
      problem(ctx, 'EMBEDDING_API_KEY', 'required for the OpenAI API (or set OPENAI_API_KEY)')
    }
    if (dimensions === undefined) return z.NEVER
    return {
      provider: 'openai' as const,
      model,
      dimensions,
      baseUrl: e.EMBEDDING_BASE_URL,
      apiKey,
      timeoutMs: e.EMBEDDING_TIMEOUT_MS,
      maxRetries: e.EMBEDDING_MAX_RETRIES,
      batchSize: e.EMBEDDING_BATCH_SIZE,
    }
  })

export type EmbeddingConfig = z.output<typeof embeddingSection>
