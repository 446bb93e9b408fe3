import { existsSync } from 'node:fs'
import { realpath } from 'node:fs/promises'
import { isAbsolute, relative, resolve } from 'node:path'
import { loadSkillLibrary, where } from '../../app/skill-library.ts'
import { InvalidInputError } from '../../lib/errors.ts'
import type { SkillProblem } from '../../skills/check-skill.ts'
import { catalogCost } from '../../skills/skill-catalog.ts'
import {
  type SkillReport,
  skillFoldersIn,
  validateSkillFolder,
} from '../../skills/validate-skills.ts'
import { type CliContext, loadRuntime } from '../cli-context.ts'

/**
 * `fte skills list`: the catalog the Worker offers (the winning skill of each name), where each
 * comes from, and with --tokens what it costs in context on every turn.
 */
export async function skillsListCommand(
  context: CliContext,
  options: { tokens?: boolean; json?: boolean },
): Promise<void> {
  const library = await loadSkillLibrary(loadRuntime(context))
  const cost = catalogCost(library.skills)
  const show = (path: string) => shown(context.cwd, path)
  if (options.json) {
    const skills = library.skills.map((skill, index) => ({
      name: skill.name,
      description: skill.description,
      source: skill.root.level,
      file: skill.file,
      ...(options.tokens ? { tokens: cost.perSkill[index]?.tokens } : {}),
    }))
    const tokens = options.tokens ? { catalog_tokens: cost.total } : {}
    context.stdout.write(
      `${JSON.stringify({ skills, ...tokens, warnings: library.warnings }, null, 2)}\n`,
    )
    return
  }
  for (const warning of library.warnings) {
    context.stderr.write(`warning: ${show(where(warning))}: ${warning.message}\n`)
  }
  if (library.skills.length === 0) {
    context.stdout.write(
      `No skills found. Searched:\n${library.roots.map((r) => `  ${r.dir}\n`).join('')}` +
        'A skill is a folder holding a SKILL.md, e.g. .claude/skills/my-skill/SKILL.md.\n',
    )
    return
  }
  const width = Math.max(...library.skills.map((s) => s.name.length))
  for (const [index, skill] of library.skills.entries()) {
    const tokens = options.tokens ? `${String(cost.perSkill[index]?.tokens).padStart(4)} tok  ` : ''
    context.stdout.write(
      `${skill.name.padEnd(width)}  ${tokens}${show(skill.file)} (${skill.root.level})\n`,
    )
    context.stdout.write(`${' '.repeat(width + 2)}${clip(skill.description, 100)}\n`)
  }
  if (options.tokens) {
    const average = Math.round(
      cost.perSkill.reduce((sum, s) => sum + s.tokens, 0) / cost.perSkill.length,
    )
    context.stdout.write(
      `\n${library.skills.length} skills: the catalog costs ${cost.total} tokens per turn ` +
        `(${cost.preamble} of instructions, ${average} per skill on average; the specification's ` +
        'budget is about 100 per skill). Bodies load only when a skill is activated.\n',
    )
  }
}

/**
 * `fte skills validate [dir]`: every problem of every skill, with file and line; exit code 1 when
 * any is an error. `dir` is one skill folder or a folder of skills; without it, every folder the
 * Worker scans.
 */
export async function skillsValidateCommand(
  context: CliContext,
  dir: string | undefined,
  options: { json?: boolean },
): Promise<number> {
  let folders: string[]
  /** What only the whole library shows: names claimed twice, configured folders that are missing. */
  let library: SkillProblem[] = []
  let searched: readonly string[] = []
  if (dir === undefined) {
    const found = await loadSkillLibrary(loadRuntime(context))
    searched = found.roots.map((root) => root.dir)
    folders = await uniqueFolders(searched)
    library = found.warnings
      .filter((w) => /^(another skill is named|does not exist)/.test(w.message))
      .map((w) => ({ file: w.file, line: 1, severity: 'warning' as const, message: w.message }))
  } else {
    const path = resolve(context.cwd, dir)
    if (!existsSync(path)) {
      throw new InvalidInputError(`${dir} does not exist`)
    }
    folders = await skillFoldersIn(path)
    if (folders.length === 0) {
      throw new InvalidInputError(
        `no skills in ${dir}: give a skill folder (holding SKILL.md) or a folder of them`,
      )
    }
  }
  const reports = await Promise.all(folders.map((folder) => validateSkillFolder(folder)))
  const errors = count(reports, 'error')
  const warnings = count(reports, 'warning') + library.length
  if (options.json) {
    context.stdout.write(
      `${JSON.stringify({ skills: reports, library, errors, warnings }, null, 2)}\n`,
    )
    return errors > 0 ? 1 : 0
  }
  const show = (problem: SkillProblem) =>
    `${shown(context.cwd, problem.file)}:${problem.line}: ${problem.severity}: ${problem.message}\n`
  for (const report of reports) {
    for (const problem of report.problems) context.stdout.write(show(problem))
  }
  for (const problem of library) context.stdout.write(show(problem))
  if (reports.length === 0) {
    context.stdout.write(`No skills found. Searched:\n${searched.map((d) => `  ${d}\n`).join('')}`)
    return 0
  }
  const failed = reports.filter((r) => r.problems.some((p) => p.severity === 'error')).length
  context.stdout.write(
    `${reports.length} skill${reports.length === 1 ? '' : 's'} checked: ` +
      `${reports.length - failed} valid, ${failed} with errors ` +
      `(${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}).\n`,
  )
  return errors > 0 ? 1 : 0
}

/** The skill folders under each root, each real folder once (the pack's may be the project's). */
async function uniqueFolders(roots: readonly string[]): Promise<string[]> {
  const seen = new Set<string>()
  const folders: string[] = []
  for (const root of roots) {
    for (const folder of await skillFoldersIn(root)) {
      const real = await realpath(folder).catch(() => folder)
      if (seen.has(real)) continue
      seen.add(real)
      folders.push(folder)
    }
  }
  return folders
}

function count(reports: readonly SkillReport[], severity: SkillProblem['severity']): number {
  return reports.reduce(
    (sum, report) => sum + report.problems.filter((p) => p.severity === severity).length,
    0,
  )
}

/** A path relative to the working folder when it is inside it, absolute otherwise. */
function shown(cwd: string, path: string): string {
  const rel = relative(cwd, path)
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}
