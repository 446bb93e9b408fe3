import { readdirSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { configDefaults, defineConfig } from 'vitest/config'
import { SlowestProjectFirst } from './test/setup/sequencer.ts'

/** Test files whose names end with `suffix`, wherever tests live. */
const named = (suffix: string) => ['src', 'domains', 'test'].map((dir) => `${dir}/**/*${suffix}`)

/**
 * A pack's own test, `domains/<pack>/<pack>.test.ts` as `fte new-domain` writes it, runs the pack
 * on the test databases: it belongs to the database project whatever its suffix.
 */
const packTests = readdirSync(new URL('./domains', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => `domains/${entry.name}/${entry.name}.test.ts`)

const database = [...named('.db.test.ts'), ...packTests]
const endToEnd = [...named('.e2e.test.ts'), ...named('.browser.test.ts')]

/**
 * Three projects, by what a test costs (its name says which; README, "Tests"): `unit` opens no
 * database and starts no process; `database` runs on the test databases the global setup builds
 * (PGlite, and Postgres when TEST_DATABASE_URL is set); `end-to-end` runs the program as its users
 * do (subprocesses, `fte serve`, its own data folders, the browser). `npm test` runs all three.
 */
export default defineConfig({
  test: {
    // Opening a database (a fresh PGlite, a new Postgres database) takes a moment on a busy machine;
    // this bounds a hung test, it is not a performance check.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // A worker spends much of its time waiting (on a subprocess, Postgres, a timer): one worker more
    // than the cores keeps them busy. Vitest's default, one less than the cores, would run the suite
    // one file at a time on a 2-core machine.
    maxWorkers: availableParallelism() + 1,
    // Threads start faster and cost less than a process per file.
    pool: 'threads',
    sequence: { sequencer: SlowestProjectFirst },
    allowOnly: false,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: named('.test.ts'),
          exclude: [...configDefaults.exclude, ...database, ...endToEnd],
        },
      },
      {
        extends: true,
        test: {
          name: 'database',
          // A process per file: PGlite's WebAssembly freed in worker threads can abort V8
          // ("Check failed: jit_page_->allocations_.erase(addr) == 1", Node 24), taking the run down.
          pool: 'forks',
          include: database,
          globalSetup: ['test/setup/databases.ts', 'test/setup/sandbox.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'end-to-end',
          // A process per file, as the program runs: its subprocesses, signals and `fte serve`.
          pool: 'forks',
          include: endToEnd,
          globalSetup: ['test/setup/chromium.ts'],
        },
      },
    ],
  },
})
