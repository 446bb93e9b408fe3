import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Capture } from '../../test/support/capture.ts'
import { runCli } from './run-cli.ts'

/** `fte <args>` with exactly `env`: no LOG_LEVEL unless the test sets one. */
async function run(args: string[], env: Record<string, string>) {
  const stdout = new Capture()
  const stderr = new Capture()
  const code = await runCli(args, { env, cwd: tmpdir(), stdout, stderr })
  return { code, stdout: stdout.text, stderr: stderr.text }
}

/** The JSON log lines among what was written. */
function logLines(text: string): Array<{ level: number; msg: string }> {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string })
}

describe('log lines at the terminal', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fte-logs-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('an interactive command prints none unless LOG_LEVEL asks for them', async () => {
    const env = { FTE_DATA_DIR: join(dir, 'data') }
    const quiet = await run(['migrate'], env)
    expect(quiet.code).toBe(0)
    expect(quiet.stdout).toContain('applied 22, 0 were already applied')
    expect(quiet.stderr).toBe('')

    const asked = await run(['migrate', '--status'], { ...env, LOG_LEVEL: 'info' })
    expect(asked.code).toBe(0)
    expect(logLines(asked.stderr)).toContainEqual(
      expect.objectContaining({
        level: 30,
        msg: 'the embedded database is ready (PGlite + pgvector)',
      }),
    )
    expect(logLines(asked.stdout)).toEqual([])
  })

  it('fte mcp, a service, logs at info by default, to stderr only: stdout is the protocol', async () => {
    const stdin = new PassThrough()
    const stdout = new Capture()
    const stderr = new Capture()
    const stop = new AbortController()
    const running = runCli(['mcp'], {
      env: { FTE_DATA_DIR: join(dir, 'mcp') },
      cwd: tmpdir(),
      stdin,
      stdout,
      stderr,
      signal: stop.signal,
    })
    const deadline = Date.now() + 30_000
    while (!stderr.text.includes('MCP gateway on stdio') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    stop.abort()
    expect(await running).toBe(0)
    expect(logLines(stderr.text)).toContainEqual(
      expect.objectContaining({ level: 30, msg: 'MCP gateway on stdio' }),
    )
    expect(stdout.text).toBe('')
  })
})
