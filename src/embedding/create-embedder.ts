import type { EmbeddingConfig } from '../config/sections/embedding.ts'
import type { Embedder } from './embedder.ts'
import { createLocalEmbedder } from './local-embedder.ts'
import { createOpenAiEmbedder } from './openai-embedder.ts'

/** The configured embedder. */
export function createEmbedder(config: EmbeddingConfig): Embedder {
  return config.provider === 'local'
    ? createLocalEmbedder(config.dimensions)
    : createOpenAiEmbedder(config)
}
