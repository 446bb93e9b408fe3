import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { packageRoot } from '../lib/package-root.ts'

/** The one place that wires the shipped packs in: the entry point's pack lookup. */
const WIRING = new Set(['src/cli/cli-context.ts'])

async function sources(dir: string): Promise<string[]> {
  const found: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) found.push(...(await sources(path)))
    else if (/\.(ts|js)$/.test(entry.name) && !entry.name.endsWith('.test.ts')) found.push(path)
  }
  return found
}

describe('the core and the domain packs', () => {
  it('has no import of any pack outside the entry point that wires them in', async () => {
    const root = packageRoot()
    const offenders: string[] = []
    const files = await sources(join(root, 'src'))
    expect(files.length).toBeGreaterThan(100)
    for (const file of files) {
      const path = relative(root, file)
      if (WIRING.has(path)) continue
      const text = await readFile(file, 'utf8')
      for (const match of text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
        const specifier = match[1] ?? ''
        if (/(^|\/)domains(\/|$)/.test(specifier)) offenders.push(`${path}: ${specifier}`)
      }
    }
    expect(offenders).toEqual([])
  })
})
