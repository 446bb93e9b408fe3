import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

let cached: string | undefined

/**
 * The folder holding this project's package.json, found by walking up from this file, so paths to
 * `migrations/` and `domains/` resolve the same from `src/` (run directly) and `dist/` (built).
 */
export function packageRoot(): string {
  if (cached !== undefined) return cached
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const candidate = join(dir, 'package.json')
    if (existsSync(candidate) && isThisPackage(candidate)) {
      cached = dir
      return dir
    }
    const parent = dirname(dir)
    if (parent === dir) throw new Error('digital-fte: cannot find the package root')
    dir = parent
  }
}

function isThisPackage(file: string): boolean {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'digital-fte'
  } catch {
    return false
  }
}
