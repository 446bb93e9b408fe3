import { countTokens as countCl100k } from 'gpt-tokenizer/encoding/cl100k_base'

/**
 * The tokenizer that chunk sizes are measured in: cl100k_base, the encoding of OpenAI's
 * text-embedding-3 models, run offline from the bundled ranks. Other embedding models tokenize
 * differently, so the counts are a close guide for them rather than exact.
 */
export const TOKENIZER = 'cl100k_base'

export function countTokens(text: string): number {
  return countCl100k(text)
}
