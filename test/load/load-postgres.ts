import { execFile, execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { promisify } from 'node:util'

const run = promisify(execFile)
const SCRIPT = new URL('../../.ci/postgres-cluster.sh', import.meta.url).pathname
/** The cluster's folder: one per port, so that runs on different ports do not meet. */
const dirFor = (port: number) => `/tmp/fte-load-postgres-${port}`

const clusterEnv = (port: number, dir: string) => ({
  ...process.env,
  FTE_PG_DIR: dir,
  FTE_PG_PORT: String(port),
})

export interface LoadPostgres {
  /** The application role's URL (a non-superuser, as in production). */
  url: string
  /** Stops the server at once, as a power cut would: no checkpoint, no goodbye to clients. */
  crash(): Promise<void>
  /** Starts it again on the same data; crash recovery replays the log. */
  resume(): Promise<void>
  stop(): Promise<void>
}

/**
 * A throwaway PostgreSQL 15 cluster with pgvector of the load suite's own (its own folder and port,
 * beside the test suite's), so that the suite may stop it mid-load. Undefined, with the reason,
 * when PostgreSQL 15 with pgvector is not installed.
 */
export async function startLoadPostgres(
  port: number,
  dir = dirFor(port),
): Promise<LoadPostgres | string> {
  if (!existsSync('/usr/lib/postgresql/15/bin/postgres')) {
    return 'PostgreSQL 15 is not installed (bash .ci/install-postgres.sh installs it with pgvector)'
  }
  if (!existsSync('/usr/share/postgresql/15/extension/vector.control')) {
    return 'pgvector is not installed for PostgreSQL 15 (bash .ci/install-postgres.sh builds it)'
  }
  const env = clusterEnv(port, dir)
  const cluster = (command: string) => run('bash', [SCRIPT, command], { env })
  const started = await cluster('start')
  const url = /TEST_DATABASE_URL=(\S+)/.exec(started.stdout)?.[1]
  if (url === undefined) return `the load cluster did not start: ${started.stderr.slice(-500)}`
  return {
    url,
    crash: async () => {
      await cluster('crash')
    },
    resume: async () => {
      await cluster('resume')
    },
    stop: async () => {
      await cluster('stop')
    },
  }
}

/** Stops the suite's cluster and removes it, before the process exits on a time limit. */
export function stopLoadPostgresNow(port: number, dir = dirFor(port)): void {
  try {
    execFileSync('bash', [SCRIPT, 'stop'], { env: clusterEnv(port, dir), stdio: 'ignore' })
  } catch {
    // Exiting anyway: the next run's start removes what is left.
  }
}
