import { once } from 'node:events'
import { signPayload } from '../../src/jobs/inbound/signature.ts'
import { type ServeProcess, serveProcess } from './fte-subprocess.ts'

/** The inbound email secret the servers are given, and the mail provider of the test signs with. */
const INBOUND_SECRET = 'jobs-e2e-inbound-secret-0123456789abcdef'

export interface JobsServerOptions {
  /** Where it runs (its working directory). */
  cwd: string
  /** Its data folder: the embedded database's, or only its keys when `DATABASE_URL` is set. */
  dataDir: string
  /** The scripted model's URL (an OpenAI-compatible server in the test process). */
  modelUrl: string
  /** Where its replies go: the test's SMTP receiver. */
  smtpUrl: string
  /** More settings, or overrides: DATABASE_URL, JOBS_CONCURRENCY, JOBS_STALE_SECONDS. */
  env?: Record<string, string>
}

/**
 * `fte serve` as a process of its own, doing the Worker's own work as a deployment does: emails
 * taken in on the signed HTTP route, answered by the Worker on the scripted model, and replies
 * sent (not drafted) over SMTP. It logs at info, as JSON, on stderr: the queue says there which
 * jobs it completed.
 */
export function serveJobs(options: JobsServerOptions): Promise<ServeProcess> {
  return serveProcess(['--port', '0'], {
    cwd: options.cwd,
    env: {
      PATH: process.env.PATH ?? '',
      FTE_DATA_DIR: options.dataDir,
      AUTH_DEV_PORT: '0',
      SKILLS_USER: 'false',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      CLEANUP_INTERVAL_MINUTES: '0',
      LLM_PROVIDER: 'compatible',
      LLM_BASE_URL: options.modelUrl,
      LLM_MODEL: 'gpt-4o-mini',
      LLM_MAX_RETRIES: '0',
      EMAIL_INBOUND_SECRET: INBOUND_SECRET,
      EMAIL_SMTP_URL: options.smtpUrl,
      EMAIL_FROM: 'help@desk.example',
      JOBS_REPLIES: 'send',
      ...options.env,
    },
  })
}

/** `kill -9`: no shutdown, no flush, its SMTP and database connections cut where they are. */
export async function killHard(server: ServeProcess): Promise<void> {
  const { child } = server
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  child.kill('SIGKILL')
  await exited
}

/** POSTs raw MIME to the server's inbound route, signed now, as a mail provider posts it. */
export async function postEmail(serverUrl: string, raw: string): Promise<Response> {
  return fetch(`${serverUrl}/api/inbound/email`, {
    method: 'POST',
    body: raw,
    headers: {
      'content-type': 'message/rfc822',
      'fte-signature': signPayload(INBOUND_SECRET, raw, Math.floor(Date.now() / 1000)),
    },
  })
}

/** How many jobs of each task the queue said this server completed (its info log lines). */
export function completedTasks(server: ServeProcess): Map<string, number> {
  const counts = new Map<string, number>()
  for (const match of server.output().stderr.matchAll(/"msg":"Completed task \d+ \(([^,]+),/g)) {
    const task = match[1] ?? ''
    counts.set(task, (counts.get(task) ?? 0) + 1)
  }
  return counts
}
