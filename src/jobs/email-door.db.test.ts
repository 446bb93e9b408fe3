import { afterEach, beforeEach, expect, it } from 'vitest'
import { describeEachJobDatabase } from '../../test/support/job-databases.ts'
import { email, type JobsStage, jobsStage } from '../../test/support/jobs-stage.ts'
import { inboundApi } from '../http/inbound-api.ts'
import type { Database } from '../store/database.ts'
import { jobsDoor } from './inbound/jobs-door.ts'
import { signPayload } from './inbound/signature.ts'

const SECRET = 'mail-provider-secret-of-thirty-two-c'
const MAYA = 'maya.okafor@example.com'

async function rows<R extends Record<string, unknown>>(db: Database, sql: string): Promise<R[]> {
  return (await db.query<R>(sql)).rows
}

describeEachJobDatabase('the email door', (target) => {
  let db: Database
  let stage: JobsStage
  beforeEach(async () => {
    db = await target.open()
    stage = await jobsStage(db, { env: { EMAIL_MAX_BYTES: '65536', EMAIL_MAX_RECIPIENTS: '50' } })
  })
  afterEach(async () => {
    await stage.close()
    await db.close()
  })

  const post = (body: string) =>
    inboundApi({
      secrets: { email: [SECRET] },
      toleranceSeconds: 300,
      maxBytes: 65536,
      eventKinds: [],
      door: jobsDoor(stage.jobs),
    }).request('http://fte.test/email', {
      method: 'POST',
      body,
      headers: {
        'content-type': 'message/rfc822',
        'fte-signature': signPayload(SECRET, body, Math.floor(Date.now() / 1000)),
      },
    })

  const refusals = () =>
    rows<{ reason: string }>(
      db,
      `SELECT payload->>'reason' AS reason FROM audit_log WHERE action = 'inbound_refused' ORDER BY id`,
    )

  it('refuses a message that is not an email, says why, records it, and keeps nothing', async () => {
    const response = await post('this is not a message at all')
    expect(response.status).toBe(400)
    expect(await refusals()).toEqual([{ reason: 'malformed' }])
    expect(await rows(db, 'SELECT id FROM inbound_emails')).toEqual([])
  })

  it('refuses an oversized email over SMTP with 552 and records it', async () => {
    const big = email({
      from: MAYA,
      subject: 'Photos',
      body: 'x'.repeat(100_000),
      messageId: '<big@mail.example.com>',
    })
    await expect(stage.smtp(big)).rejects.toThrow(/552/)
    await stage.until(async () => ((await refusals()).length > 0 ? true : undefined))
    expect(await refusals()).toEqual([{ reason: 'too_large' }])
    expect(await rows(db, 'SELECT id FROM inbound_emails')).toEqual([])
  })

  it('keeps an email addressed to 1,000 recipients, trimmed to the limit, and answers it', async () => {
    const to = Array.from({ length: 1000 }, (_, i) => `r${i}@list.example`).join(', ')
    const raw = email({
      from: MAYA,
      subject: 'Everyone',
      body: 'Status of order #4429?',
      messageId: '<many@mail.example.com>',
    }).replace('To: help@desk.example', `To: help@desk.example, ${to}`)
    const response = await stage.jobs.receiveEmail(Buffer.from(raw), {
      via: 'smtp',
      mailFrom: MAYA,
      remoteIp: '198.51.100.2',
      helo: null,
    })
    expect(response.duplicate).toBe(false)
    expect(
      await rows(db, `SELECT recipients_trimmed FROM inbound_emails WHERE id = '${response.id}'`),
    ).toEqual([{ recipients_trimmed: 951 }])
    expect(
      await rows(
        db,
        `SELECT (payload->>'recipients_trimmed')::int AS trimmed FROM audit_log WHERE action = 'email_received'`,
      ),
    ).toEqual([{ trimmed: 951 }])
    const [reply] = await stage.receiver.waitFor(1, 30_000)
    expect(reply?.envelope.recipients).toEqual([MAYA])
  })

  it('tries a reply again after a temporary SMTP failure, with the same Message-ID', async () => {
    stage.receiver.failNext(451, 1)
    await stage.jobs.receiveEmail(
      Buffer.from(
        email({ from: MAYA, subject: 'Again', body: 'Order #4429?', messageId: '<t@m.example>' }),
      ),
      { via: 'smtp', mailFrom: MAYA, remoteIp: '198.51.100.3', helo: null },
    )
    const [reply] = await stage.receiver.waitFor(1, 30_000)
    // The receiver has it as soon as it answers 250: the job records it a moment later.
    await stage.settled()
    const [sent] = await rows<{ message_id: string; attempts: number; status: string }>(
      db,
      'SELECT message_id, attempts, status FROM email_outbox',
    )
    expect(sent).toEqual({ message_id: reply?.messageId, attempts: 2, status: 'sent' })
    expect(
      await rows(
        db,
        `SELECT attempt, status, reason FROM job_runs WHERE task = 'email:send' ORDER BY id`,
      ),
    ).toEqual([
      { attempt: 1, status: 'failed', reason: 'email_unavailable' },
      { attempt: 2, status: 'done', reason: null },
    ])
  })

  it('hands a reply the mail server refuses for good to a person, and stops trying', async () => {
    stage.receiver.failNext(550, 5)
    await stage.jobs.receiveEmail(
      Buffer.from(
        email({ from: MAYA, subject: 'Once', body: 'Order #4429?', messageId: '<p@m.example>' }),
      ),
      { via: 'smtp', mailFrom: MAYA, remoteIp: '198.51.100.4', helo: null },
    )
    const [send] = await stage.until(async () => {
      const done = await rows<{ status: string; reason: string }>(
        db,
        `SELECT status, reason FROM job_runs WHERE task = 'email:send' AND finished_at IS NOT NULL`,
      )
      return done.length > 0 ? done : undefined
    })
    expect(send).toEqual({ status: 'handed_over', reason: 'email_rejected' })
    expect(await rows(db, 'SELECT status, attempts FROM email_outbox')).toEqual([
      { status: 'failed', attempts: 1 },
    ])
  })

  it('answers an email longer than the Worker takes, cut to its limit and saying so', async () => {
    await stage.jobs.receiveEmail(
      Buffer.from(
        email({
          from: MAYA,
          subject: 'Long',
          body: `Status of order #4429? ${'Details. '.repeat(1000)}`,
          messageId: '<long@m.example>',
        }),
      ),
      { via: 'smtp', mailFrom: MAYA, remoteIp: '198.51.100.6', helo: null },
    )
    const [reply] = await stage.receiver.waitFor(1, 30_000)
    expect(reply?.to).toEqual([MAYA])
    const [said] = await rows<{ content: string }>(
      db,
      `SELECT content FROM messages WHERE role = 'user'
         AND conversation_id = (SELECT conversation_id FROM inbound_emails)`,
    )
    expect(said?.content.length).toBeLessThanOrEqual(5000)
    expect(said?.content).toMatch(/more characters of the email were cut here\]$/)
  })
})
