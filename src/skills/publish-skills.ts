import type { CacheHint } from '@modelcontextprotocol/server'
import {
  type SkillWarning as SdkSkillWarning,
  SkillCatalog,
  type SkillFiles,
} from '@modelcontextprotocol/server/ext/skills'
import { nodeSkillFiles } from '@modelcontextprotocol/server/ext/skills/node'
import type { SkillLibrary } from './discover-skills.ts'

/**
 * How long a 2026-07-28 client may reuse skills/list, skills/get, directory reads and skill files
 * (2025 answers carry no hint). The catalog is read once at start and never changes while the
 * server runs, so five minutes (the specification's own example) spares hosts re-asking, yet a
 * restart with new skills reaches them soon; a stale file fails its digest and is fetched again.
 * Private, not public: every answer sits behind the bearer check, and a shared cache could hand a
 * public one to a caller who never showed a token.
 */
const SKILLS_CACHE_HINT: CacheHint = { ttlMs: 5 * 60_000, cacheScope: 'private' }

/**
 * The library as the MCP SDK's Agent Skills extension serves it (`skills/list`, `skills/get`, the
 * `skill://` resources): one folder per winning skill, named after the skill, read through the
 * SDK's own folder adapter (which refuses symlinks and `..`). The SDK applies its rule checks again
 * and digests every file, so clients can verify what they fetch.
 */
export function publishSkills(
  library: SkillLibrary,
  onWarning: (warning: SdkSkillWarning) => void,
): Promise<SkillCatalog> {
  // A pack with no skills is not a problem: the SDK's "no skills found" would read like one.
  const warn = library.skills.length === 0 ? () => {} : onWarning
  return SkillCatalog.load(libraryFiles(library), { onWarning: warn, cacheHint: SKILLS_CACHE_HINT })
}

function libraryFiles(library: SkillLibrary): SkillFiles {
  const folders = new Map(
    library.skills.map((skill) => [skill.name, nodeSkillFiles(skill.realDir)]),
  )
  const route = (path: string) => {
    const [name = '', ...rest] = path.split('/')
    const files = folders.get(name)
    if (files === undefined) throw new Error(`no skill folder ${name}`)
    return { files, path: rest.join('/') }
  }
  return {
    async list(dir) {
      if (dir === '')
        return [...folders.keys()].map((name) => ({ name, kind: 'directory' as const }))
      const at = route(dir)
      return at.files.list(at.path)
    },
    async read(path) {
      const at = route(path)
      return at.files.read(at.path)
    },
  }
}
