import { z } from 'zod'
import { integer, optionalSetting, setting } from '../settings.ts'

export const apiSection = z
  .object({
    CORS_ORIGINS: optionalSetting(
      z
        .string()
        .transform((list) =>
          list
            .split(',')
            .map((origin) => origin.trim().replace(/\/+$/, ''))
            .filter((origin) => origin !== ''),
        )
        .refine((origins) => origins.every((origin) => /^https?:\/\/[^/\s]+$/.test(origin)), {
          error: 'must be origins such as https://app.example.com, separated by commas',
        }),
    ),
    CHAT_RATE_LIMIT: setting(integer(1, 100_000), 20),
    CHAT_RATE_BURST: setting(integer(1, 1000), 5),
  })
  .transform((e) => ({
    /** Origins other than the server's own whose pages may call `/api` (CORS). */
    corsOrigins: e.CORS_ORIGINS ?? [],
    /** Chat turns (messages and approval decisions) per user per minute, and at once. */
    chatRate: { perMinute: e.CHAT_RATE_LIMIT, burst: e.CHAT_RATE_BURST },
  }))

export type ApiConfig = z.output<typeof apiSection>
