import { join } from 'node:path'
import { runCli } from '../../src/cli/run-cli.ts'
import { Capture } from './capture.ts'
import { waitFor } from './ports.ts'

export interface ServedFte {
  url: string
  /** What it printed: its start-up banner. */
  stdout: Capture
  /** What the server logged (LOG_LEVEL warn unless `env` says otherwise). */
  stderr: Capture
  /** Stops it (once, however often called); fails when it does not exit cleanly. */
  stop(): Promise<void>
}

/**
 * `fte serve` on a fresh data folder in `dir`, as `npm start` runs it (in this process, on a free
 * port, the development sign-in on another); resolves once it listens. `env` adds to or overrides
 * the defaults: a model, DATABASE_URL for Postgres instead of the embedded database.
 */
export async function serveFte(dir: string, env: Record<string, string>): Promise<ServedFte> {
  const stdout = new Capture()
  const stderr = new Capture()
  const controller = new AbortController()
  const exited = runCli(['serve', '--port', '0'], {
    env: { FTE_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn', AUTH_DEV_PORT: '0', ...env },
    cwd: dir,
    stdout,
    stderr,
    signal: controller.signal,
  })
  const url = await waitFor(
    () => /serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout.text)?.[1],
    'the server to listen',
    90_000,
  )
  let stopped: Promise<void> | undefined
  return {
    url,
    stdout,
    stderr,
    stop: () => {
      stopped ??= (async () => {
        controller.abort()
        const code = await exited
        if (code !== 0) throw new Error(`fte serve exited with ${code}:\n${stderr.text}`)
      })()
      return stopped
    },
  }
}
