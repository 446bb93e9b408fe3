import type { Dirent } from 'node:fs'
import { readdir, readFile, realpath, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { errorMessage } from '../lib/errors.ts'
import { checkSkill } from './check-skill.ts'
import type { SkillRoot } from './skill-roots.ts'

/** A skill ready to offer: what the catalog shows, and where its files are. */
export interface Skill {
  name: string
  description: string
  /** The skill's folder as found under its root. */
  dir: string
  /** The same folder with symlinks resolved: resource reads must stay inside it. */
  realDir: string
  /** Its SKILL.md. */
  file: string
  root: SkillRoot
  frontmatter: Readonly<Record<string, unknown>>
}

/** Something an operator should fix; discovery carried on. */
export interface SkillWarning {
  file: string
  line?: number
  message: string
}

export interface SkillLibrary {
  /** The winning skill of each name, sorted by name. */
  readonly skills: readonly Skill[]
  readonly warnings: readonly SkillWarning[]
  /** Every root searched, in precedence order (missing ones included). */
  readonly roots: readonly SkillRoot[]
  get(name: string): Skill | undefined
}

/** A SKILL.md larger than this is not read (the specification's whole body budget is far less). */
const MAX_SKILL_MD_BYTES = 1024 * 1024

/**
 * Scans each root for `<root>/<folder>/SKILL.md`, leniently: a problem that leaves the skill usable
 * (a name that differs from its folder, an unknown field, a long body) is a warning and the skill
 * loads; one that does not (no frontmatter, unreadable YAML, no description) is a warning and the
 * skill is skipped. The first root to define a name wins; every loser is named in a warning that
 * says which file won.
 */
export async function discoverSkills(roots: readonly SkillRoot[]): Promise<SkillLibrary> {
  const warnings: SkillWarning[] = []
  const byName = new Map<string, Skill>()
  const seenRoots = new Set<string>()
  for (const root of roots) {
    const real = await realpath(root.dir).catch(() => undefined)
    if (real === undefined && root.level === 'configured') {
      warnings.push({ file: root.dir, message: 'does not exist (named in SKILLS_DIRS)' })
    }
    if (real === undefined || seenRoots.has(real)) continue
    seenRoots.add(real)
    for (const entry of await entriesOf(root.dir, warnings)) {
      const skill = await loadSkill(root, entry, warnings)
      if (skill === undefined) continue
      const winner = byName.get(skill.name)
      if (winner === undefined) {
        byName.set(skill.name, skill)
        continue
      }
      warnings.push({
        file: skill.file,
        message: `another skill is named "${skill.name}": ${winner.file} wins (${precedence(winner, skill)}); this one is ignored`,
      })
    }
  }
  const skills = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name))
  return { skills, warnings, roots, get: (name) => byName.get(name) }
}

function precedence(winner: Skill, loser: Skill): string {
  if (winner.root === loser.root) return 'same folder: the first in alphabetical order wins'
  if (winner.root.level === 'project' && loser.root.level !== 'project') {
    return `project skills win over ${loser.root.level === 'pack' ? "the domain pack's" : 'user'} skills`
  }
  if (winner.root.level === 'pack' && loser.root.level === 'user') {
    return "the domain pack's skills win over user skills"
  }
  return `${winner.root.dir} comes first in the search order`
}

async function entriesOf(dir: string, warnings: SkillWarning[]): Promise<Dirent[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true })
    return entries
      .filter((e) => !e.name.startsWith('.') && (e.isDirectory() || e.isSymbolicLink()))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  } catch (error) {
    warnings.push({ file: dir, message: `cannot be listed: ${errorMessage(error)}` })
    return []
  }
}

async function loadSkill(
  root: SkillRoot,
  entry: Dirent,
  warnings: SkillWarning[],
): Promise<Skill | undefined> {
  const dir = join(root.dir, entry.name)
  const file = join(dir, 'SKILL.md')
  let text: string
  let realDir: string
  try {
    if (!(await stat(dir)).isDirectory()) return undefined
    realDir = await realpath(dir)
    const names = await readdir(dir)
    if (!names.includes('SKILL.md')) {
      const near = names.find((name) => name.toLowerCase() === 'skill.md')
      warnings.push({
        file: near === undefined ? dir : join(dir, near),
        message:
          near === undefined
            ? 'has no SKILL.md, so it is not a skill (skipped)'
            : 'the file must be named SKILL.md, in capitals (skipped)',
      })
      return undefined
    }
    const info = await stat(file)
    if (!info.isFile() || info.size > MAX_SKILL_MD_BYTES) {
      warnings.push({ file, message: 'is not a regular file under 1 MiB (skipped)' })
      return undefined
    }
    text = await readFile(file, 'utf8')
  } catch (error) {
    warnings.push({ file, message: `cannot be read: ${errorMessage(error)} (skipped)` })
    return undefined
  }

  const { markdown, problems } = await checkSkill(dir, text)
  const frontmatter = markdown.frontmatter
  const description = frontmatter?.description
  const name = frontmatter?.name ?? entry.name
  const usable =
    typeof description === 'string' && description.trim() !== '' && typeof name === 'string'
  for (const problem of problems) {
    const loaded = usable && problem.severity === 'error' ? ' (loaded anyway)' : ''
    warnings.push({
      file,
      line: problem.line,
      message: `${problem.message}${usable ? loaded : ' (skipped)'}`,
    })
  }
  if (!usable) return undefined
  if (frontmatter?.name === undefined) {
    warnings.push({ file, message: `no name: using the folder's, "${entry.name}"` })
  }
  return {
    name,
    description: description.trim(),
    dir,
    realDir,
    file,
    root,
    frontmatter: frontmatter ?? {},
  }
}

/**
 * The library without the skills that say they belong to another domain pack
 * (`metadata.domain` in their frontmatter): a pack's Worker is offered its own skills and the
 * general ones, never another domain's.
 */
export function skillsForDomain(library: SkillLibrary, domain: string): SkillLibrary {
  const skills = library.skills.filter((skill) => {
    const metadata = skill.frontmatter.metadata as Record<string, unknown> | undefined
    const owner = metadata?.domain
    return typeof owner !== 'string' || owner === domain
  })
  const byName = new Map(skills.map((skill) => [skill.name, skill]))
  return { ...library, skills, get: (name) => byName.get(name) }
}
