import { chmodSync, mkdirSync, statSync } from 'node:fs'
import { chmod, lstat, readdir } from 'node:fs/promises'
import { join } from 'node:path'

/** Whatever group and others could do: none of it, in a private folder. */
const OTHERS = 0o077

/**
 * `dir` as a folder only its owner may enter: created 0700 (parents too) when missing, and an
 * existing one that others could enter is tightened to 0700. Returns the mode a tightened folder
 * had, so that the caller can say so; undefined when there was nothing to tighten.
 */
export function privateDir(dir: string): number | undefined {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const { mode } = statSync(dir)
  if ((mode & OTHERS) === 0) return undefined
  chmodSync(dir, 0o700)
  return mode & 0o777
}

/**
 * Takes group and other permissions off everything under `dir` (files 0666 become 0600, folders
 * 0755 become 0700), owner bits kept. Symbolic links are left alone (chmod would follow them), and
 * a file that disappears while the walk runs (a database at work) is no error.
 */
export async function tightenTree(dir: string): Promise<void> {
  let entries: string[]
  try {
    entries = await readdir(dir, { recursive: true })
  } catch (error) {
    if (isGone(error)) return
    throw error
  }
  for (const entry of entries) {
    const path = join(dir, entry)
    try {
      const stats = await lstat(path)
      if (stats.isSymbolicLink() || (stats.mode & OTHERS) === 0) continue
      await chmod(path, stats.mode & 0o700)
    } catch (error) {
      if (!isGone(error)) throw error
    }
  }
}

function isGone(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT'
}
