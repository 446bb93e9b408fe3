import { readFile } from 'node:fs/promises'
import { isMap, LineCounter, parseDocument } from 'yaml'
import { z } from 'zod'
import { ConfigError } from '../lib/errors.ts'
import type { EnvelopeOverride } from './envelope.ts'

const toolName = z.string().regex(/^[a-z_][a-z0-9_]*$/, { error: 'must be a tool name' })

const overrideSchema = z.strictObject({
  tools: z.array(toolName).optional(),
  replies: z.enum(['draft', 'send'], { error: 'must be draft or send' }).optional(),
  max_steps: z.int().min(1).max(100).optional(),
  tokens_per_job: z.int().min(1).optional(),
  tokens_per_day: z.int().min(1).optional(),
  usd_per_job: z.number().positive().optional(),
  usd_per_day: z.number().positive().optional(),
})

const TRIGGER = /^(email|webhook|schedule)(:[a-z0-9_.-]{1,100})?$/

/**
 * Reads the envelope file (JOBS_ENVELOPE_FILE): YAML, one mapping per trigger, its fields in
 * snake case. Every problem is named with its line, and the server does not start with one.
 *
 *   email:
 *     replies: send
 *     tools: [domain_lookup_order, domain_search_policies]
 *     max_steps: 6
 *     tokens_per_day: 500000
 */
export async function loadEnvelopeFile(path: string): Promise<Record<string, EnvelopeOverride>> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new ConfigError(`JOBS_ENVELOPE_FILE: cannot read ${path} (${(error as Error).message})`)
  }
  return parseEnvelopeFile(text, path)
}

export function parseEnvelopeFile(text: string, path: string): Record<string, EnvelopeOverride> {
  const counter = new LineCounter()
  const document = parseDocument(text, { lineCounter: counter, uniqueKeys: true })
  const problems = document.errors.map(
    (error) => `line ${counter.linePos(error.pos[0]).line}: ${error.message.split('\n')[0]}`,
  )
  const lineOf = (path: readonly PropertyKey[]): string => {
    const node = document.getIn(path as unknown[], true) as { range?: [number] } | undefined
    const at = node?.range?.[0]
    return at === undefined ? '' : `line ${counter.linePos(at).line}: `
  }
  const found: Record<string, EnvelopeOverride> = {}
  if (problems.length === 0 && document.contents !== null && !isMap(document.contents)) {
    problems.push('the file must be a mapping of triggers (email, webhook:<kind>, schedule:<name>)')
  }
  const value = problems.length === 0 ? (document.toJS() ?? {}) : {}
  for (const [trigger, raw] of Object.entries(value as Record<string, unknown>)) {
    if (!TRIGGER.test(trigger)) {
      problems.push(
        `${lineOf([trigger])}"${trigger}" is not a trigger (email, webhook:<kind>, schedule:<name>)`,
      )
      continue
    }
    const parsed = overrideSchema.safeParse(raw ?? {})
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const where = [trigger, ...issue.path]
        problems.push(`${lineOf(where)}${where.join('.')}: ${issue.message}`)
      }
      continue
    }
    const o = parsed.data
    found[trigger] = {
      ...(o.tools === undefined ? {} : { tools: o.tools }),
      ...(o.replies === undefined ? {} : { replies: o.replies }),
      ...(o.max_steps === undefined ? {} : { maxSteps: o.max_steps }),
      ...(o.tokens_per_job === undefined ? {} : { tokensPerJob: o.tokens_per_job }),
      ...(o.tokens_per_day === undefined ? {} : { tokensPerDay: o.tokens_per_day }),
      ...(o.usd_per_job === undefined ? {} : { usdPerJob: o.usd_per_job }),
      ...(o.usd_per_day === undefined ? {} : { usdPerDay: o.usd_per_day }),
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(`JOBS_ENVELOPE_FILE ${path}:\n  ${problems.join('\n  ')}`)
  }
  return found
}
