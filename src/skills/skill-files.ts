import { constants } from 'node:fs'
import { open, readdir, realpath } from 'node:fs/promises'
import { isAbsolute, join, relative, sep } from 'node:path'
import { CallerError } from '../lib/errors.ts'

/** A path a skill asked for that leads outside its folder, or to nothing readable. */
export class SkillPathError extends CallerError {
  constructor(message: string) {
    super('skill_path_refused', message)
  }
}

/**
 * Resolves `path` (relative, `/`-separated) inside the folder `realDir` and returns the real path
 * of the file. Refused: empty, absolute or drive paths, any `..` segment, NUL bytes, and anything
 * whose real location (symlinks followed) is not inside the folder. The inside test compares whole
 * path segments, so a sibling folder whose name starts with the skill's (`skill-evil` next to
 * `skill`) is outside.
 */
export async function resolveInside(realDir: string, path: string): Promise<string> {
  if (path === '' || path.includes('\0')) throw new SkillPathError('the path is empty or invalid')
  if (isAbsolute(path) || /^[a-zA-Z]:/.test(path) || path.startsWith('\\')) {
    throw new SkillPathError(
      `"${shown(path)}" is absolute; give a path relative to the skill folder`,
    )
  }
  if (path.split(/[/\\]/).includes('..')) {
    throw new SkillPathError(`"${shown(path)}" climbs out of the skill folder with ".."`)
  }
  let real: string
  try {
    real = await realpath(join(realDir, path))
  } catch {
    throw new SkillPathError(`"${shown(path)}" does not exist in this skill`)
  }
  if (!isInside(realDir, real)) {
    throw new SkillPathError(`"${shown(path)}" leads outside the skill folder (a symbolic link)`)
  }
  return real
}

export function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path)
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel)
}

/**
 * Reads at most `maxBytes` of a regular file. `O_NOFOLLOW` refuses a symlink swapped in after the
 * path was resolved.
 */
export async function readCapped(
  path: string,
  maxBytes: number,
): Promise<{ text: string; bytes: number; truncated: boolean }> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => {
    throw new SkillPathError('the file cannot be opened')
  })
  try {
    const info = await handle.stat()
    if (!info.isFile()) throw new SkillPathError('not a file (a folder or a device)')
    const buffer = Buffer.alloc(Math.min(info.size, maxBytes))
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
    const slice = buffer.subarray(0, bytesRead)
    if (slice.includes(0)) throw new SkillPathError('a binary file; only text files can be read')
    return {
      text: slice.toString('utf8'),
      bytes: info.size,
      truncated: info.size > maxBytes,
    }
  } finally {
    await handle.close()
  }
}

/** The files of a skill other than SKILL.md, relative and `/`-separated, at most `limit`. */
export async function listSkillFiles(realDir: string, limit = 200): Promise<string[]> {
  const found: string[] = []
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
    entries.sort((a, b) => (a.name < b.name ? -1 : 1))
    for (const entry of entries) {
      if (found.length >= limit || entry.name.startsWith('.')) continue
      const path = join(dir, entry.name)
      if (entry.isDirectory() && depth < 4) await walk(path, depth + 1)
      else if (entry.isFile()) found.push(relative(realDir, path).split(sep).join('/'))
    }
  }
  await walk(realDir, 0)
  return found.filter((path) => path !== 'SKILL.md')
}

function shown(path: string): string {
  return path.length > 120 ? `${path.slice(0, 117)}...` : path
}
