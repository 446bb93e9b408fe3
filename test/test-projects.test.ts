import { globSync, readFileSync } from 'node:fs'
import { join, matchesGlob } from 'node:path'
import { describe, expect, it } from 'vitest'
import { packageRoot } from '../src/lib/package-root.ts'
import config from '../vitest.config.ts'

const root = packageRoot()

/** What a file of each project may not import: what the name promises it does not need. */
const FORBIDDEN: Record<string, RegExp> = {
  // No database, no process, no browser: the unit project has no global setup to build them.
  unit: /test-databases|pglite-database|node:child_process|client\/stdio|playwright-core/,
  // Its own data folders and processes: the end-to-end project builds no test databases.
  'end-to-end': /test-databases/,
}

/** What a file of the database project opens: the test databases, or a database of its own. */
const OPENS_A_DATABASE = /test-databases|job-databases|pglite-database|postgres-database/

const projects = (config.test?.projects ?? []).map((project) => {
  const test = (project as { test: { name: string; include: string[]; exclude?: string[] } }).test
  return { name: test.name, include: test.include, exclude: test.exclude ?? [] }
})

function projectsOf(file: string): string[] {
  return projects
    .filter((p) => p.include.some((glob) => matchesGlob(file, glob)))
    .filter((p) => !p.exclude.some((glob) => matchesGlob(file, glob)))
    .map((p) => p.name)
}

function imports(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8')
  return [...text.matchAll(/^import [^;]*?from '([^']+)'/gms)].map((m) => m[1] ?? '')
}

describe('the test projects', () => {
  const files = globSync(['src/**/*.test.ts', 'domains/**/*.test.ts', 'test/**/*.test.ts'], {
    cwd: root,
  })

  it('put every test file in exactly one project: unit, database or end-to-end', () => {
    expect(projects.map((p) => p.name)).toEqual(['unit', 'database', 'end-to-end'])
    expect(files.length).toBeGreaterThan(80)
    const misplaced = files.filter((file) => projectsOf(file).length !== 1)
    expect(misplaced).toEqual([])
  })

  it('hold files whose imports match what their names promise', () => {
    const wrong: string[] = []
    for (const file of files) {
      const [project = ''] = projectsOf(file)
      const specifiers = imports(file)
      const forbidden = FORBIDDEN[project]
      const bad = forbidden ? specifiers.filter((s) => forbidden.test(s)) : []
      if (bad.length > 0) wrong.push(`${file} (${project}) imports ${bad.join(', ')}`)
      if (project === 'database' && !specifiers.some((s) => OPENS_A_DATABASE.test(s)))
        wrong.push(`${file} (database) opens no database`)
    }
    expect(wrong).toEqual([])
  })

  it('are what npm test runs, all together, and npm run test:unit, test:db, test:e2e one each', () => {
    const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>
    }
    expect(scripts.test).toBe('vitest run')
    expect(scripts['test:unit']).toBe('vitest run --project unit')
    expect(scripts['test:db']).toBe('vitest run --project database')
    expect(scripts['test:e2e']).toBe('vitest run --project end-to-end')
  })
})
