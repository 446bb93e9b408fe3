import { homedir } from 'node:os'
import type { SkillCatalog } from '@modelcontextprotocol/server/ext/skills'
import type { Logger } from '../lib/logger.ts'
import { discoverSkills, type SkillLibrary, skillsForDomain } from '../skills/discover-skills.ts'
import { publishSkills } from '../skills/publish-skills.ts'
import { skillRoots } from '../skills/skill-roots.ts'
import type { Runtime } from './runtime.ts'

/** The skill library the configuration names, less the skills of other domain packs. */
export async function loadSkillLibrary(runtime: Runtime): Promise<SkillLibrary> {
  const { config, pack, host } = runtime
  const library = await discoverSkills(
    skillRoots({
      cwd: host.cwd,
      home: config.skills.includeUser ? (host.env.HOME ?? homedir()) : undefined,
      configured: config.skills.dirs,
      packDirs: pack.skillsDir === undefined ? [] : [pack.skillsDir],
    }),
  )
  return skillsForDomain(library, pack.name)
}

/** Logs each discovery warning on one line, with its file and line. */
export function logSkillWarnings(logger: Logger, library: SkillLibrary): void {
  for (const warning of library.warnings) {
    logger.warn(
      { file: warning.file, line: warning.line },
      `skill: ${where(warning)}: ${warning.message}`,
    )
  }
}

export function where(warning: { file: string; line?: number | undefined }): string {
  return warning.line === undefined ? warning.file : `${warning.file}:${warning.line}`
}

/** The library as the gateway publishes it over MCP; problems go to the log. */
export async function publishedSkills(runtime: Runtime): Promise<SkillCatalog> {
  const library = await loadSkillLibrary(runtime)
  logSkillWarnings(runtime.logger, library)
  const catalog = await publishSkills(library, (warning) =>
    runtime.logger.warn(
      { file: warning.path },
      `skill not published over MCP: ${warning.path}: ${warning.message}`,
    ),
  )
  runtime.logger.info(
    { skills: catalog.entries.length },
    `${catalog.entries.length} skills published over MCP`,
  )
  return catalog
}
