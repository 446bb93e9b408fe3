import { z } from 'zod'
import {
  defineTool,
  READ_ONLY,
  SESSION_ARGUMENT,
  type ToolDefinition,
} from '../../pack/tool-definition.ts'

/** `config_get_persona`: who the assistant is, as begin_session gives it. */
export function configGetPersonaTool(persona: string): ToolDefinition {
  return defineTool({
    name: 'config_get_persona',
    title: 'Get the persona',
    description: 'Returns who the assistant is and how it speaks, the same as begin_session gives.',
    input: z.strictObject({ session: SESSION_ARGUMENT }),
    annotations: READ_ONLY,
    isolation: 'statement',
    async run() {
      return { data: { persona }, text: persona }
    },
  })
}
