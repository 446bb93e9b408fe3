import { join, resolve } from 'node:path'

/** A folder of skill folders, and whose it is. Earlier roots win over later ones. */
export interface SkillRoot {
  dir: string
  /** `project` (the folder the Worker runs in), `pack` (the domain pack's own), `user`, or `configured`. */
  level: 'project' | 'pack' | 'user' | 'configured'
}

/** Where Claude Code, OpenCode and `.agents` clients look in a project, in precedence order. */
export const PROJECT_SKILL_DIRS = ['.claude/skills', '.agents/skills', '.opencode/skills'] as const
/** ... and in the user's home folder. */
export const USER_SKILL_DIRS = [
  '.claude/skills',
  '.agents/skills',
  '.config/opencode/skills',
] as const

export interface SkillRootOptions {
  cwd: string
  /** The user's home folder; undefined leaves the user's skills out. */
  home: string | undefined
  /** Folders given in configuration (SKILLS_DIRS): they replace the defaults, in this order. */
  configured?: readonly string[] | undefined
  /** Skills a domain pack ships: after the project's own, before the user's. */
  packDirs?: readonly string[]
}

/**
 * The roots to scan: the project's folders, then the domain pack's, then the user's. Project skills
 * win over user skills of the same name, the convention of Claude Code and OpenCode.
 */
export function skillRoots(options: SkillRootOptions): SkillRoot[] {
  if (options.configured !== undefined && options.configured.length > 0) {
    return options.configured.map((dir) => ({
      dir: resolve(options.cwd, dir),
      level: 'configured',
    }))
  }
  const roots: SkillRoot[] = PROJECT_SKILL_DIRS.map((dir) => ({
    dir: join(options.cwd, dir),
    level: 'project',
  }))
  for (const dir of options.packDirs ?? []) roots.push({ dir, level: 'pack' })
  if (options.home !== undefined) {
    const home = options.home
    roots.push(...USER_SKILL_DIRS.map((dir) => ({ dir: join(home, dir), level: 'user' as const })))
  }
  return roots
}
