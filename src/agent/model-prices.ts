/** USD per million tokens. */
export interface ModelPrice {
  inputPerMillion: number
  outputPerMillion: number
}

/**
 * List prices of common models (USD per million tokens, standard tier, no cache discount) for the
 * cost estimate on `message_sent`. An estimate, not a bill: set LLM_PRICE_INPUT / LLM_PRICE_OUTPUT
 * for anything else. Longest matching prefix wins, so dated snapshots find their family.
 */
const PRICES: ReadonlyArray<readonly [prefix: string, price: ModelPrice]> = [
  ['gpt-4o-mini', { inputPerMillion: 0.15, outputPerMillion: 0.6 }],
  ['gpt-4o', { inputPerMillion: 2.5, outputPerMillion: 10 }],
  ['gpt-4.1-nano', { inputPerMillion: 0.1, outputPerMillion: 0.4 }],
  ['gpt-4.1-mini', { inputPerMillion: 0.4, outputPerMillion: 1.6 }],
  ['gpt-4.1', { inputPerMillion: 2, outputPerMillion: 8 }],
  ['gpt-5-nano', { inputPerMillion: 0.05, outputPerMillion: 0.4 }],
  ['gpt-5-mini', { inputPerMillion: 0.25, outputPerMillion: 2 }],
  ['gpt-5', { inputPerMillion: 1.25, outputPerMillion: 10 }],
  ['o4-mini', { inputPerMillion: 1.1, outputPerMillion: 4.4 }],
  ['gemini-2.5-flash-lite', { inputPerMillion: 0.1, outputPerMillion: 0.4 }],
  ['gemini-2.5-flash', { inputPerMillion: 0.3, outputPerMillion: 2.5 }],
  ['gemini-2.5-pro', { inputPerMillion: 1.25, outputPerMillion: 10 }],
  ['llama-3.3-70b-versatile', { inputPerMillion: 0.59, outputPerMillion: 0.79 }],
  ['llama-3.1-8b-instant', { inputPerMillion: 0.05, outputPerMillion: 0.08 }],
  ['deepseek-chat', { inputPerMillion: 0.27, outputPerMillion: 1.1 }],
  ['deepseek-reasoner', { inputPerMillion: 0.55, outputPerMillion: 2.19 }],
]

/** The price of `model`: the override, the table's, free for `:free` models, else undefined. */
export function priceOf(model: string, override?: ModelPrice): ModelPrice | undefined {
  if (override !== undefined) return override
  if (model.endsWith(':free')) return { inputPerMillion: 0, outputPerMillion: 0 }
  // OpenRouter names carry the vendor: openai/gpt-4o-mini.
  const bare = model.slice(model.lastIndexOf('/') + 1)
  let best: readonly [string, ModelPrice] | undefined
  for (const entry of PRICES) {
    if (bare.startsWith(entry[0]) && (best === undefined || entry[0].length > best[0].length)) {
      best = entry
    }
  }
  return best?.[1]
}

/** The estimated cost in USD, rounded to a millionth; undefined when the price is unknown. */
export function costOf(
  price: ModelPrice | undefined,
  inputTokens: number,
  outputTokens: number,
): number | undefined {
  if (price === undefined) return undefined
  const usd = (inputTokens * price.inputPerMillion + outputTokens * price.outputPerMillion) / 1e6
  return Math.round(usd * 1e6) / 1e6
}
