import { createTransport } from 'nodemailer'
import { supportPack } from '../../domains/support/index.ts'
import { inProcessAccess } from '../../src/agent/gateway-access.ts'
import { jobTurns } from '../../src/app/job-turns.ts'
import { parseConfig } from '../../src/config/config.ts'
import type { EnvelopeOverride } from '../../src/jobs/envelope.ts'
import { type Jobs, startJobs } from '../../src/jobs/jobs-service.ts'
import { createLogger } from '../../src/lib/logger.ts'
import { packageRoot } from '../../src/lib/package-root.ts'
import type { Database } from '../../src/store/database.ts'
import { emailModel } from './email-model.ts'
import { testGateway } from './gateway-client.ts'
import type { ScriptedOpenAiServer } from './scripted-openai-server.ts'
import { type SmtpReceiver, startSmtpReceiver } from './smtp-receiver.ts'
import { testWorker } from './worker-fixture.ts'

/** No DNS here: every name is unknown, so senders authenticate as `none`. */
export async function noDns(name: string): Promise<never> {
  throw Object.assign(new Error(`query ENOTFOUND ${name}`), { code: 'ENOTFOUND' })
}

export interface JobsStage {
  db: Database
  jobs: Jobs
  model: ScriptedOpenAiServer
  /** The mail server the Worker's replies go to. */
  receiver: SmtpReceiver
  /** Sends `raw` to the built-in SMTP listener, as a mail server would. */
  smtp(raw: string, envelope?: { from: string; to: string[] }): Promise<void>
  /** Waits until no job waits or runs, and every run is recorded as ended. */
  settled(ms?: number): Promise<void>
  /** Polls `read` until it returns something other than undefined (or fails after `ms`). */
  until<T>(read: () => Promise<T | undefined>, ms?: number): Promise<T>
  close(): Promise<void>
}

/**
 * `fte serve`'s jobs on `db`: the support pack, its gateway in-process, a Worker on the scripted
 * email model, replies sent (unless `env` says otherwise) to a real SMTP server on loopback, and
 * the built-in SMTP listener on a free port. Engine timings are short, for tests.
 */
export async function jobsStage(
  db: Database,
  options: {
    env?: Record<string, string>
    envelopes?: Record<string, EnvelopeOverride>
    resolver?: (name: string, rrtype: string) => Promise<unknown>
    staleAfterMs?: number
  } = {},
): Promise<JobsStage> {
  const model = emailModel({ record: true })
  await model.start()
  const receiver = await startSmtpReceiver()
  const gateway = await testGateway(db, { pack: supportPack })
  const worker = await testWorker(db, model, {
    pack: supportPack,
    gateway: inProcessAccess(gateway),
    skills: false,
  })
  const config = parseConfig(
    {
      EMAIL_SMTP_URL: receiver.url,
      EMAIL_FROM: 'help@desk.example',
      EMAIL_LISTEN_PORT: '0',
      JOBS_REPLIES: 'send',
      ...options.env,
    },
    { cwd: packageRoot() },
  ).jobs
  const jobs = await startJobs({
    db,
    logger: createLogger({ level: 'silent' }),
    config,
    pack: supportPack.jobs,
    tools: gateway.tools,
    runTurn: jobTurns(worker, new Set(gateway.tools.map((tool) => tool.name))),
    maxMessageChars: 5000,
    envelopes: options.envelopes ?? {},
    resolver: options.resolver ?? noDns,
    engine: { heartbeatMs: 200, staleAfterMs: options.staleAfterMs ?? 2000, pollMs: 200 },
  })
  const client = createTransport({
    host: '127.0.0.1',
    port: jobs.smtpPort ?? 0,
    secure: false,
    ignoreTLS: true,
  })
  return {
    db,
    jobs,
    model,
    receiver,
    async smtp(raw, envelope) {
      await client.sendMail({
        envelope: envelope ?? { from: 'sender@example.com', to: ['help@desk.example'] },
        raw,
      })
    },
    async settled(ms = 30_000) {
      await until(async () => {
        const { rows } = await db.query<{ busy: number }>(
          `SELECT (SELECT count(*) FROM graphile_worker.jobs WHERE attempts < max_attempts)
                + (SELECT count(*) FROM job_runs WHERE status = 'running') AS busy`,
        )
        return Number(rows[0]?.busy) === 0 ? true : undefined
      }, ms)
    },
    until,
    async close() {
      client.close()
      await jobs.close()
      await worker.close()
      await receiver.close()
      await model.stop()
    },
  }
}

/** An email as a customer's mail program writes one. */
export function email(fields: {
  from: string
  subject: string
  body: string
  messageId: string
  inReplyTo?: string
  references?: string[]
  replyTo?: string
}): string {
  return [
    `From: ${fields.from}`,
    'To: help@desk.example',
    `Subject: ${fields.subject}`,
    `Message-ID: ${fields.messageId}`,
    ...(fields.inReplyTo === undefined ? [] : [`In-Reply-To: ${fields.inReplyTo}`]),
    ...(fields.references === undefined ? [] : [`References: ${fields.references.join(' ')}`]),
    ...(fields.replyTo === undefined ? [] : [`Reply-To: ${fields.replyTo}`]),
    'Date: Fri, 04 Dec 2026 10:00:00 +0000',
    'Content-Type: text/plain; charset=utf-8',
    '',
    fields.body,
    '',
  ].join('\r\n')
}

/** Polls `read` until it returns something other than undefined (or fails after `ms`). */
async function until<T>(read: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await read()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`not there within ${ms} ms`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
