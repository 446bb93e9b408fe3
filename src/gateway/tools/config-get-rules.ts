import { z } from 'zod'
import {
  defineTool,
  READ_ONLY,
  SESSION_ARGUMENT,
  type ToolDefinition,
} from '../../pack/tool-definition.ts'
import { allRules } from './core-rules.ts'

/** `config_get_rules`: the core's rules and the pack's, as begin_session gives them. */
export function configGetRulesTool(rules: string): ToolDefinition {
  return defineTool({
    name: 'config_get_rules',
    title: 'Get the rules',
    description: 'Returns the rules the assistant must follow, the same as begin_session gives.',
    input: z.strictObject({ session: SESSION_ARGUMENT }),
    annotations: READ_ONLY,
    isolation: 'statement',
    async run() {
      const all = allRules(rules)
      return { data: { rules: all }, text: all }
    },
  })
}
