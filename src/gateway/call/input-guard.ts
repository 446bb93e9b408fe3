import type { z } from 'zod'
import { InvalidInputError } from '../../lib/errors.ts'
import type { ToolDefinition } from '../../pack/tool-definition.ts'
import { inputProblem, MAX_INPUT_BYTES } from './input-bounds.ts'

/**
 * The call's arguments as the tool's schema reads them, after the bounds every input must keep
 * (size, depth, text Postgres can store); an `invalid_input` refusal naming what is wrong.
 */
export function acceptInput<S extends z.ZodObject>(
  tool: ToolDefinition<S>,
  args: Record<string, unknown>,
): z.output<S> {
  const unacceptable = inputProblem(args, tool.maxInputBytes ?? MAX_INPUT_BYTES)
  if (unacceptable !== undefined) {
    throw new InvalidInputError(`Invalid arguments: ${unacceptable}.`)
  }
  const parsed = tool.input.safeParse(args)
  if (!parsed.success) {
    throw new InvalidInputError(describeIssues(parsed.error))
  }
  return parsed.data
}

function describeIssues(error: z.ZodError): string {
  const issues = error.issues.map((issue) => {
    const path = issue.path.join('.')
    return path === '' ? issue.message : `${path}: ${issue.message}`
  })
  return `Invalid arguments: ${issues.join('; ')}`
}
