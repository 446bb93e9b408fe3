import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  fteProcess,
  type ServeProcess,
  serveProcess,
} from '../../../test/support/fte-subprocess.ts'
import { waitFor } from '../../../test/support/ports.ts'
import { SEND_EMAIL } from '../../jobs/email/queue-reply.ts'
import { signPayload } from '../../jobs/inbound/signature.ts'
import { jobAdmin } from '../../jobs/job-admin.ts'
import { enqueue } from '../../jobs/job-queue.ts'
import type { Database } from '../../store/database.ts'
import { openEmbedded } from '../../store/embedded.ts'

const SECRET = 'inbound-secret-for-the-jobs-command-0001'
const EMAIL = [
  'From: Maya Okafor <maya.okafor@example.com>',
  'To: help@desk.example',
  'Subject: Where is my parcel?',
  'Message-ID: <jobs-cli-1@mail.example.com>',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Hello, it has been a week.',
  '',
].join('\r\n')

// `npm start` in one terminal, `fte jobs` in another, on the same embedded data folder. The server
// has no model and no outbound SMTP, so its jobs end in the two ways an operator must see: an
// email handed to a person, and a send that fails until its attempts run out.
describe('fte jobs beside a running fte serve', () => {
  let dir: string
  let dataDir: string
  let env: Record<string, string>
  let server: ServeProcess | undefined
  let db: Database | undefined
  const fte = (args: string[]) => fteProcess(['jobs', ...args], { env, cwd: dir })

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fte-jobs-cli-'))
    dataDir = join(dir, 'data')
    env = {
      PATH: process.env.PATH ?? '',
      FTE_DATA_DIR: dataDir,
      SKILLS_USER: 'false',
      EMAIL_INBOUND_SECRET: SECRET,
    }
  })
  afterAll(async () => {
    await db?.close()
    await server?.interrupt()
    await rm(dir, { recursive: true, force: true })
  })

  it('says plainly that there is no queue before a server has started one', async () => {
    expect((await fteProcess(['migrate'], { env, cwd: dir })).code).toBe(0)
    const listed = await fte([])
    expect(listed.code, listed.stderr).toBe(0)
    expect(listed.stdout).toContain("The job queue's tables do not exist yet")
    const cancelled = await fte(['cancel', '1'])
    expect(cancelled.code).toBe(1)
    expect(cancelled.stderr).toContain("No job 1. The job queue's tables do not exist yet")
  })

  it('lists the queue, the runs handed to a person and the last runs; retries and cancels a job, each audited', async () => {
    server = await serveProcess(['--port', '0'], {
      env: { ...env, AUTH_DEV_PORT: '0', LOG_LEVEL: 'warn' },
      cwd: dir,
    })
    const posted = await fetch(`${server.url}/api/inbound/email`, {
      method: 'POST',
      body: EMAIL,
      headers: {
        'content-type': 'message/rfc822',
        'fte-signature': signPayload(SECRET, EMAIL, Math.floor(Date.now() / 1000)),
      },
    })
    expect(posted.status).toBe(202)
    const opened = await openEmbedded({ dataDir })
    db = opened
    const failing = await enqueue(opened, {
      task: SEND_EMAIL,
      payload: { trigger: 'email', outbox: randomUUID() },
      maxAttempts: 1,
    })
    const later = await enqueue(opened, {
      task: SEND_EMAIL,
      payload: { trigger: 'email', outbox: randomUUID() },
      maxAttempts: 5,
      runAt: new Date(Date.now() + 3_600_000),
    })
    await waitFor(async () => {
      const failed = (await jobAdmin.list(opened, { failedOnly: true })).length === 1
      const { rows } = await opened.query(`SELECT 1 FROM job_runs WHERE status = 'handed_over'`)
      return failed && rows.length === 1 ? true : undefined
    }, 'a failed job and a run handed over')

    const listed = await fte([])
    expect(listed.code, listed.stderr).toBe(0)
    expect(listed.stdout).toContain(
      `Jobs on embedded (${dataDir}), served by process ${server.child.pid}: 1 waiting, 0 running, 1 failed.`,
    )
    expect(listed.stdout).toMatch(
      new RegExp(`^${failing} +email:send +email +failed +1/1 +- +EMAIL_SMTP_URL is not set`, 'm'),
    )
    expect(listed.stdout).toMatch(new RegExp(`^${later} +email:send +email +waiting +0/5 `, 'm'))
    expect(listed.stdout).toMatch(/Handed to a person[^\n]*\n {2}run \d+ .* email +\w+/)
    expect(listed.stdout).toMatch(new RegExp(`job ${failing} +email:send +attempt 1 +failed `))
    expect(listed.stdout).toMatch(/email:answer +attempt 1 +handed_over: \w+/)

    const failedOnly = await fte(['list', '--failed', '--json'])
    const report = JSON.parse(failedOnly.stdout) as {
      summary: unknown
      jobs: Array<{ id: number; state: string }>
      handedOver: unknown[]
    }
    expect(report.jobs.map((job) => [job.id, job.state])).toEqual([[failing, 'failed']])
    expect(report.summary).toMatchObject({ waiting: 1, running: 0, failed: 1 })
    expect(report.handedOver).toHaveLength(1)

    const retried = await fte(['retry', String(failing)])
    expect(retried.code, retried.stderr).toBe(0)
    expect(retried.stdout).toContain(`Job ${failing} will run again now`)
    // Without outbound SMTP it fails again: a second run of the same job, its attempts reset.
    await waitFor(async () => {
      const { rows } = await opened.query('SELECT 1 FROM job_runs WHERE job_id = $1', [failing])
      return rows.length === 2 ? true : undefined
    }, 'the retried job to run again')

    const cancelled = await fte(['cancel', String(later)])
    expect(cancelled.code, cancelled.stderr).toBe(0)
    expect(cancelled.stdout).toContain(`Job ${later} was taken out of the queue`)
    expect((await jobAdmin.list(opened)).map((job) => job.id)).not.toContain(later)
    const again = await fte(['cancel', String(later)])
    expect(again.code).toBe(1)
    expect(again.stderr).toContain(`Job ${later} is not in the queue, or it is running now`)
    expect((await fte(['retry', 'twelve'])).code).toBe(2)

    const { rows: audited } = await opened.query(
      `SELECT actor, action, target, payload FROM audit_log WHERE actor LIKE 'operator%' ORDER BY id`,
    )
    const actor = `operator:${userInfo().username}`
    expect(audited).toEqual([
      {
        actor,
        action: 'job_retried',
        target: `job:${failing}`,
        payload: {},
      },
      {
        actor,
        action: 'job_cancelled',
        target: `job:${later}`,
        payload: {},
      },
    ])
  })
})
