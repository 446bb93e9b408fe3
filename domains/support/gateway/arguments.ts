import { z } from 'zod'

/** Any UUID, in either case: every record can also be named by its id. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export const ORDER_REF = z
  .union([z.string().trim().min(1).max(64), z.number().int().min(0).max(999_999_999_999)])
  .transform(String)
  .describe('The order number as the customer writes it (#4429 or 4429) or its UUID')

export const TICKET_REF = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .describe('The ticket id (T-1042) or its UUID')

export const EMAIL = z.string().trim().toLowerCase().max(254).email()
