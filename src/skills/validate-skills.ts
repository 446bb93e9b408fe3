import { existsSync } from 'node:fs'
import { lstat, readdir, readFile, realpath } from 'node:fs/promises'
import { join } from 'node:path'
import { errorMessage } from '../lib/errors.ts'
import { checkSkill, type SkillProblem } from './check-skill.ts'
import { isInside, resolveInside } from './skill-files.ts'
import type { SkillMarkdown } from './skill-md.ts'

export interface SkillReport {
  dir: string
  name: string | undefined
  problems: SkillProblem[]
}

/**
 * The skill folders under `path`: the folder itself when it holds a SKILL.md, otherwise each
 * sub-folder that does (a folder of skills). A sub-folder with a `skill.md` in the wrong case is
 * included, so its problem is reported rather than silently passed over.
 */
export async function skillFoldersIn(path: string): Promise<string[]> {
  if (existsSync(join(path, 'SKILL.md'))) return [path]
  const entries = await readdir(path, { withFileTypes: true }).catch(() => [])
  const folders: string[] = []
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith('.')) continue
    const dir = join(path, entry.name)
    const names = await readdir(dir).catch(() => [] as string[])
    if (names.some((name) => name.toLowerCase() === 'skill.md')) folders.push(dir)
  }
  return folders
}

/**
 * Strict validation of one skill folder: every rule of the specification (see checkSkill), plus
 * what would break it in use: symlinks (a link out of the folder is refused; any link keeps the
 * MCP extension from publishing the skill) and files the body names that are not there.
 */
export async function validateSkillFolder(dir: string): Promise<SkillReport> {
  const file = join(dir, 'SKILL.md')
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    const message =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'no SKILL.md (the file name must be SKILL.md, in capitals)'
        : `cannot be read: ${errorMessage(error)}`
    return { dir, name: undefined, problems: [{ file, line: 1, severity: 'error', message }] }
  }
  const { markdown, problems } = await checkSkill(dir, text)
  problems.push(...(await linkProblems(dir)), ...(await referenceProblems(dir, file, markdown)))
  problems.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1))
  const name = markdown.frontmatter?.name
  return { dir, name: typeof name === 'string' ? name : undefined, problems }
}

async function linkProblems(dir: string): Promise<SkillProblem[]> {
  const problems: SkillProblem[] = []
  const realDir = await realpath(dir)
  const walk = async (folder: string, depth: number): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true }).catch(() => [])) {
      const path = join(folder, entry.name)
      if (entry.isSymbolicLink()) {
        const target = await realpath(path).catch(() => undefined)
        const outside = target === undefined || !isInside(realDir, target)
        problems.push({
          file: path,
          line: 1,
          severity: outside ? 'error' : 'warning',
          message: outside
            ? 'a symbolic link that leads outside the skill folder: reads through it are refused'
            : 'a symbolic link: the MCP skills extension does not publish a skill containing one',
        })
      } else if (entry.isDirectory() && depth < 4) {
        await walk(path, depth + 1)
      }
    }
  }
  await walk(dir, 0)
  return problems
}

/** Paths such as `references/x.md` or `scripts/y.sh` named in the body must exist. */
async function referenceProblems(
  dir: string,
  file: string,
  markdown: SkillMarkdown,
): Promise<SkillProblem[]> {
  const problems: SkillProblem[] = []
  const realDir = await realpath(dir)
  const lines = markdown.body.split('\n')
  for (const [index, line] of lines.entries()) {
    for (const match of line.matchAll(/\b(?:references|scripts|assets)\/[\w./-]*[\w]/g)) {
      const path = match[0]
      const found = await resolveInside(realDir, path).then(
        async (real) => (await lstat(real)).isFile(),
        () => false,
      )
      if (!found) {
        problems.push({
          file,
          line: markdown.bodyLine + index,
          severity: 'warning',
          message: `names ${path}, which is not a file of this skill`,
        })
      }
    }
  }
  return problems
}
