import type { EmbeddingConfig } from '../config/sections/embedding.ts'
import type { Embedder } from './embedder.ts'
import type { Lexicon } from './lexicon.ts'
import { createLocalEmbedder } from './local-embedder.ts'
import { createOpenAiEmbedder } from './openai-embedder.ts'

/** The configured embedder; the local one folds the pack's synonyms (`lexicon`) when it has some. */
export function createEmbedder(config: EmbeddingConfig, lexicon?: Lexicon): Embedder {
  return config.provider === 'local'
    ? createLocalEmbedder(config.dimensions, lexicon)
    : createOpenAiEmbedder(config)
}
