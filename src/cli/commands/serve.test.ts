import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Capture } from '../../../test/support/capture.ts'
import { openPglite } from '../../store/pglite-database.ts'
import { runCli } from '../run-cli.ts'

async function waitFor<T>(probe: () => T | undefined, what: string, limitMs = 90_000): Promise<T> {
  const deadline = Date.now() + limitMs
  for (;;) {
    const value = probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('fte serve on a fresh data folder', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fte-serve-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('migrates, loads the demo data, answers /healthz, and shuts down cleanly', async () => {
    const stderr = new Capture()
    const stdout = new Capture()
    const controller = new AbortController()
    const dataDir = join(dir, 'data')
    const running = runCli(['serve', '--port', '0'], {
      env: { FTE_DATA_DIR: dataDir, LOG_FORMAT: 'json' },
      cwd: dir,
      stdout,
      stderr,
      signal: controller.signal,
    })
    const url = await waitFor(
      () => /serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout.text)?.[1],
      'the server to listen',
    )
    const health = await fetch(`${url}/healthz`)
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({
      status: 'ok',
      database: { status: 'ok', kind: 'pglite', migrationsApplied: 8 },
    })
    expect(stderr.text).toContain('loaded demo data')

    expect(stderr.text).toContain('embedded documents')

    controller.abort()
    expect(await running).toBe(0)
    expect(stderr.text).toContain('shutting down')

    const db = await openPglite({ dataDir })
    const { rows } = await db.query<{ orders: number; seed_runs: number }>(
      `SELECT (SELECT count(*) FROM orders WHERE public_id = '4429')::int AS orders,
              (SELECT count(*) FROM audit_log WHERE action = 'seed_run')::int AS seed_runs`,
    )
    await db.close()
    expect(rows[0]).toEqual({ orders: 1, seed_runs: 1 })

    // The demo corpus is searchable from the terminal once the server has embedded it.
    const out = new Capture()
    const code = await runCli(
      ['search', 'my refund has not shown up', '--source', 'policy', '-k', '1'],
      {
        env: { FTE_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
        cwd: dir,
        stdout: out,
        stderr: new Capture(),
      },
    )
    expect(code).toBe(0)
    expect(out.text).toMatch(/^1\. .* policy\n {3}distance \d\.\d{3}/)
  })

  it('fails at once on a port in use, before creating any database', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as { port: number }).port
    const stderr = new Capture()
    const dataDir = join(dir, 'never-created')
    try {
      const code = await runCli(['serve', '--port', String(port)], {
        env: { FTE_DATA_DIR: dataDir },
        cwd: dir,
        stdout: new Capture(),
        stderr,
      })
      expect(code).toBe(1)
      expect(stderr.text).toContain(`Port ${port} on 127.0.0.1 is already in use`)
      expect(existsSync(dataDir)).toBe(false)
    } finally {
      blocker.close()
    }
  })
})
