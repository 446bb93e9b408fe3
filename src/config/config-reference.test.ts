import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { packageRoot } from '../lib/package-root.ts'
import { configVariables } from './config.ts'

const read = (file: string) => readFileSync(join(packageRoot(), file), 'utf8')
const variables = configVariables()

/** The variables `.env.example` sets, one `NAME=` line each (prose in comments does not count). */
function envExampleVariables(): string[] {
  return [...read('.env.example').matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1] ?? '')
}

/** The variables the README's configuration reference has a row for: its tables' first column. */
function readmeReferenceVariables(): string[] {
  const readme = read('README.md')
  const start = readme.indexOf('## Configuration reference')
  expect(start).toBeGreaterThan(0)
  const reference = readme.slice(start, readme.indexOf('\n## ', start + 1))
  const firstCells = [...reference.matchAll(/^\| *([^|]+)\|/gm)].map((m) => m[1] ?? '')
  return firstCells.flatMap((cell) =>
    [...cell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1] ?? ''),
  )
}

describe('the configuration reference', () => {
  it('reads from the sections a list of variables that includes ones of every section', () => {
    expect(variables).toContain('DATABASE_URL')
    expect(variables).toContain('LLM_PROVIDER')
    expect(variables).toContain('CLEANUP_INTERVAL_MINUTES')
    expect(variables.length).toBeGreaterThan(70)
  })

  it('.env.example documents every variable the configuration reads, and no other', () => {
    const documented = envExampleVariables()
    expect(variables.filter((name) => !documented.includes(name))).toEqual([])
    expect(documented.filter((name) => !variables.includes(name))).toEqual([])
  })

  it('the README has a row for every variable the configuration reads, and for no other', () => {
    const documented = readmeReferenceVariables()
    expect(variables.filter((name) => !documented.includes(name))).toEqual([])
    expect(documented.filter((name) => !variables.includes(name))).toEqual([])
  })
})
