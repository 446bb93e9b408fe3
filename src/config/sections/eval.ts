import { z } from 'zod'
import {
  httpUrl,
  lowerCase,
  optionalSetting,
  problem,
  withoutTrailingSlashes,
} from '../settings.ts'
import { llmSection } from './llm.ts'
import { LLM_PROVIDERS } from './llm-providers.ts'

/**
 * The model of `fte eval`'s simulated customer. By default the Worker's own (LLM_*);
 * EVAL_USER_MODEL names another model of the same provider; EVAL_USER_PROVIDER or
 * EVAL_USER_BASE_URL makes it a connection of its own, read as LLM_* would be (its key from
 * EVAL_USER_API_KEY, or the provider's key variable).
 */
export const evalSection = llmSection.in
  .extend({
    EVAL_USER_PROVIDER: optionalSetting(
      z.preprocess(
        lowerCase,
        z.enum(LLM_PROVIDERS, { error: `must be one of ${LLM_PROVIDERS.join(', ')}` }),
      ),
    ),
    EVAL_USER_MODEL: optionalSetting(z.string().trim().min(1).max(200)),
    EVAL_USER_BASE_URL: optionalSetting(httpUrl.transform(withoutTrailingSlashes)),
    EVAL_USER_API_KEY: optionalSetting(z.string()),
  })
  .transform((e, ctx) => {
    const own = e.EVAL_USER_PROVIDER !== undefined || e.EVAL_USER_BASE_URL !== undefined
    const connection = own
      ? {
          LLM_PROVIDER: e.EVAL_USER_PROVIDER,
          LLM_BASE_URL: e.EVAL_USER_BASE_URL,
          LLM_API_KEY: e.EVAL_USER_API_KEY,
          LLM_API: undefined,
          LLM_PRICE_INPUT: undefined,
          LLM_PRICE_OUTPUT: undefined,
        }
      : {}
    const parsed = llmSection.out.safeParse({
      ...e,
      ...connection,
      LLM_MODEL: e.EVAL_USER_MODEL ?? (own ? undefined : e.LLM_MODEL),
    })
    if (!parsed.success) {
      // Its problems name LLM_* variables: say which ones this is.
      for (const issue of parsed.error.issues) {
        problem(ctx, 'EVAL_USER_PROVIDER', `the simulated customer's model: ${issue.message}`)
      }
      return z.NEVER
    }
    return {
      /** The simulated customer's model; `configured: false` says what is missing. */
      userModel: parsed.data,
    }
  })
