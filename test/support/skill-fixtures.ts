import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

/** A SKILL.md with this name and description, and a short imperative body. */
export function skillText(name: string, description: string, body = '1. Do the task.\n'): string {
  return `---\nname: ${name}\ndescription: ${description}\n---\n# ${name}\n\n${body}`
}

/** Writes `<root>/<folder>/SKILL.md` (and any other files, by relative path); the folder. */
export async function writeSkill(
  root: string,
  folder: string,
  skillMd: string,
  files: Record<string, string> = {},
): Promise<string> {
  const dir = join(root, folder)
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, 'SKILL.md'), skillMd)
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true })
    await writeFile(join(dir, path), content)
  }
  return dir
}

/** A temporary folder, removed by the returned function. */
export async function tempDir(
  prefix = 'fte-skills-',
): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) }
}

/** A temporary project folder and home folder side by side, for discovery across both. */
export async function tempProject(): Promise<{
  dir: string
  project: string
  home: string
  remove(): Promise<void>
}> {
  const tmp = await tempDir()
  const project = join(tmp.dir, 'project')
  const home = join(tmp.dir, 'home')
  await mkdir(project)
  await mkdir(home)
  return { ...tmp, project, home }
}
