import type { ToolDefinition } from '../../pack/tool-definition.ts'
import { type BeginSessionOptions, beginSessionTool } from './begin-session.ts'
import { configGetPersonaTool } from './config-get-persona.ts'
import { configGetRulesTool } from './config-get-rules.ts'
import { healthTool } from './health.ts'
import { userGetProfileTool } from './user-get-profile.ts'
import { userSaveNoteTool } from './user-save-note.ts'
import { userSaveStateTool } from './user-save-state.ts'

/** begin_session, health, user_* and config_*: the tools every domain shares. */
export function coreTools(options: BeginSessionOptions): ToolDefinition[] {
  return [
    beginSessionTool(options),
    healthTool,
    userGetProfileTool,
    userSaveStateTool,
    userSaveNoteTool,
    configGetRulesTool(options.rules),
    configGetPersonaTool(options.persona),
  ]
}
