import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { packageRoot } from '../src/lib/package-root.ts'
import { fteProcess } from './support/fte-subprocess.ts'
import { emptyPostgresDatabase, postgresAvailable } from './support/scratch-postgres.ts'
import { servedDatabaseClient } from './support/served-database.ts'
import { until } from './support/until.ts'

const TRIALS = 40

// A quick scenario, many times over: the run is still going when Ctrl-C comes.
const SCENARIOS = `domain: support
scenarios:
  - id: look-up-4429
    title: Looking up an order
    persona: Maya Okafor, a Pro customer.
    goal: The status of order 4429.
    messages: ["What is the status of order #4429?"]
    expect:
      facts: [refunded]
    reference:
      actions:
        - tool: domain_lookup_order
          arguments: { order: "4429" }
      reply: "Order #4429 was refunded."
`

const DATABASES = [
  { name: 'embedded', available: true },
  { name: 'postgres', available: postgresAvailable },
] as const

for (const database of DATABASES) {
  describe.skipIf(!database.available)(`Ctrl-C during fte eval [${database.name}]`, () => {
    let dir: string
    let postgres: Awaited<ReturnType<typeof emptyPostgresDatabase>> | undefined

    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'fte-eval-interrupt-'))
      postgres = database.name === 'postgres' ? await emptyPostgresDatabase() : undefined
      await writeFile(join(dir, 'quick.yaml'), SCENARIOS)
    })
    afterEach(async () => {
      await postgres?.drop()
      await rm(dir, { recursive: true, force: true })
    })

    it('stops in order: no copy left behind, and a report of the trials that finished', async () => {
      const child = spawn(
        process.execPath,
        [
          join(packageRoot(), 'src', 'cli', 'main.ts'),
          'eval',
          '--reference',
          'quick.yaml',
          '--trials',
          String(TRIALS),
          '--out',
          'reports',
        ],
        {
          cwd: dir,
          env: {
            PATH: process.env.PATH ?? '',
            HOME: dir,
            FTE_DATA_DIR: join(dir, 'data'),
            ...(postgres === undefined ? {} : { DATABASE_URL: postgres.url }),
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      )
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString()
      })
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString()
      })
      const exited = once(child, 'exit')
      await until(async () => /eval: [1-9]\d*\/40 trials/.test(stderr), 120_000)
      child.kill('SIGINT')
      const [code] = await exited

      expect(code, stderr).toBe(130)
      const finished = Number(/interrupted: (\d+) of 40 trials finished/i.exec(stdout)?.[1])
      expect(finished).toBeGreaterThan(0)
      expect(finished).toBeLessThan(TRIALS)
      const [json] = (await readdir(join(dir, 'reports'))).filter((f) => f.endsWith('.json'))
      const report = JSON.parse(await readFile(join(dir, 'reports', json as string), 'utf8'))
      expect(report.interrupted).toBe(true)
      // What finished, all passed; a trial Ctrl-C cut short is kept, marked, and counted for nothing.
      const done = report.trials.filter((t: { ended: string }) => t.ended !== 'interrupted')
      expect(done).toHaveLength(finished)
      expect(done.every((t: { passed: boolean }) => t.passed)).toBe(true)
      expect(report.finishedTrials).toBe(finished)

      // The operator's own database is never touched: no data folder, no table in theirs.
      await expect(readdir(join(dir, 'data'))).rejects.toThrow(/ENOENT/)
      if (postgres !== undefined) {
        const name = /the Postgres database (fte_eval_[0-9a-f]+)/.exec(stderr)?.[1]
        expect(name, stderr).toBeDefined()
        const client = await servedDatabaseClient({ url: postgres.url })
        try {
          const left = await client.query(
            'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
            [name],
          )
          expect(left.rows).toEqual([])
          const tables = await client.query(
            `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`,
          )
          expect(tables.rows[0].n).toBe(0)
        } finally {
          await client.end()
        }
      }
    })
  })
}

describe.skipIf(!postgresAvailable)('fte eval --clean [postgres]', () => {
  it('drops the copies a killed run left behind, and only those', async () => {
    const postgres = await emptyPostgresDatabase()
    const client = await servedDatabaseClient({ url: postgres.url })
    const left = `fte_eval_${Date.now().toString(16)}`
    try {
      await client.query(`CREATE DATABASE ${left}`)
      await client.query(`CREATE DATABASE ${left}_1`)
      const dir = await mkdtemp(join(tmpdir(), 'fte-eval-clean-'))
      const result = await fteProcess(['eval', '--clean'], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', HOME: dir, DATABASE_URL: postgres.url },
      })
      await rm(dir, { recursive: true, force: true })
      expect(result.code, result.stderr).toBe(0)
      expect(result.stdout).toContain(`${left}_1, ${left}`)
      const { rows } = await client.query(
        'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
        [left],
      )
      expect(rows).toEqual([])
      // The database it was pointed at is not an evaluation's: it stays.
      const own = await client.query('SELECT current_database() AS name')
      expect(own.rows[0].name).toMatch(/^fte_t_/)
    } finally {
      await client.end()
      await postgres.drop()
    }
  })
})
