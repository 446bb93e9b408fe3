import { z } from 'zod'

export const PRIORITY = z
  .enum(['low', 'medium', 'high'], { error: 'priority must be low, medium or high' })
  .describe('Only when the person names one; left out, the server reads it from their words')
export const TASK_REF = z
  .union([z.number().int().min(1).max(1_000_000), z.string().trim().min(1).max(200)])
  .describe('The task: its number in the list (3) or its title as the person says it')
export const TITLE = z.string().trim().min(1).max(200).describe('What to do, briefly')
export const DESCRIPTION = z.string().trim().max(2000).describe('Details, if the person gave any')
