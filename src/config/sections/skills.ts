import { delimiter, join, resolve } from 'node:path'
import { z } from 'zod'
import { boolean, integer, optionalSetting, setting } from '../settings.ts'
import { dataDirSetting } from './database.ts'

export const skillsSection = (cwd: string) =>
  z
    .object({
      SKILLS_DIRS: optionalSetting(z.string()),
      SKILLS_USER: setting(boolean, true),
      SKILL_RESOURCE_MAX_BYTES: setting(integer(1024, 10_485_760), 262_144),
      SKILL_SCRIPTS: setting(boolean, false),
      SKILL_SCRIPT_TIMEOUT_MS: setting(integer(100, 600_000), 10_000),
      SKILL_SCRIPT_CPU_SECONDS: setting(integer(1, 600), 5),
      SKILL_SCRIPT_MEMORY_MB: setting(integer(16, 65_536), 512),
      SKILL_SCRIPT_OUTPUT_BYTES: setting(integer(1024, 10_485_760), 65_536),
      BWRAP_PATH: setting(z.string().min(1), 'bwrap'),
      // The workspaces live in the data folder (the database section's setting).
      FTE_DATA_DIR: dataDirSetting(cwd),
    })
    .transform((e) => ({
      /** SKILLS_DIRS: folders of skills replacing the default project and user folders, in order. */
      dirs: e.SKILLS_DIRS?.split(delimiter)
        .map((dir) => dir.trim())
        .filter((dir) => dir !== '')
        .map((dir) => resolve(cwd, dir)),
      /** SKILLS_USER: also scan the user's ~/.claude/skills, ~/.agents/skills, ~/.config/opencode/skills. */
      includeUser: e.SKILLS_USER,
      /** The most a read_skill_resource call returns. */
      resourceMaxBytes: e.SKILL_RESOURCE_MAX_BYTES,
      /** Per-conversation workspaces (the hand-off folder scripts write to); absolute. */
      workspaceDir: join(e.FTE_DATA_DIR, 'workspaces'),
      /** SKILL_SCRIPTS=true turns run_skill_script on, always inside bubblewrap. */
      scripts: e.SKILL_SCRIPTS
        ? {
            bwrap: e.BWRAP_PATH,
            timeoutMs: e.SKILL_SCRIPT_TIMEOUT_MS,
            cpuSeconds: e.SKILL_SCRIPT_CPU_SECONDS,
            memoryBytes: e.SKILL_SCRIPT_MEMORY_MB * 1024 * 1024,
            outputBytes: e.SKILL_SCRIPT_OUTPUT_BYTES,
          }
        : undefined,
    }))

export type SkillsConfig = z.output<ReturnType<typeof skillsSection>>
