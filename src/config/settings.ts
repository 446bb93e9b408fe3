import { z } from 'zod'

/** Unset and empty both mean "use the default", as a .env copied from .env.example leaves them. */
export function setting<T extends z.ZodType>(schema: T, fallback: z.output<T>) {
  return z
    .preprocess((value) => (value === '' ? undefined : value), schema.optional())
    .transform((value) => (value ?? fallback) as z.output<T>)
}

export function optionalSetting<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (value === '' ? undefined : value), schema.optional())
}

export const integer = (min: number, max: number) => {
  const error = `must be an integer from ${min} to ${max}`
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error })
}

export const lowerCase = (value: unknown) =>
  typeof value === 'string' ? value.trim().toLowerCase() : value

export const boolean = z.preprocess(
  lowerCase,
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], {
      error: 'must be true or false (1/0 and yes/no also work)',
    })
    .transform((value) => value === 'true' || value === '1' || value === 'yes'),
)

/** A sign-in subject as tokens carry it (`sub`). */
export const subject = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, { error: 'must be 1-255 printable characters' })

export const role = z.enum(['staff', 'customer'], { error: 'must be staff or customer' })

export const httpUrl = z.string().refine(isHttpUrl, { error: 'must be an http:// or https:// URL' })

export const withoutTrailingSlashes = (url: string) => url.replace(/\/+$/, '')

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return url.protocol === 'http:' || url.protocol === 'https:'
  } catch {
    return false
  }
}

/**
 * Reports a problem that only a combination of variables shows, under the variable to change.
 * Sections call it from their transform, which runs once each of their variables is valid.
 */
export function problem(ctx: z.RefinementCtx, name: string, message: string): void {
  ctx.addIssue({ code: 'custom', path: [name], message })
}
