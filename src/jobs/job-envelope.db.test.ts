import { afterEach, expect, it } from 'vitest'
import { describeEachJobDatabase } from '../../test/support/job-databases.ts'
import { email, type JobsStage, jobsStage } from '../../test/support/jobs-stage.ts'
import { listInbox } from '../gateway/staff-inbox.ts'
import type { Database } from '../store/database.ts'
import { JOBS_INBOX } from './jobs-inbox.ts'

const MAYA = 'maya.okafor@example.com'
const arrival = { via: 'http' as const, mailFrom: MAYA, remoteIp: '198.51.100.7', helo: null }

async function finishedRuns(db: Database) {
  const { rows } = await db.query<{ status: string; reason: string | null; steps: number }>(
    `SELECT status, reason, steps FROM job_runs WHERE task = 'email:answer' AND finished_at IS NOT NULL`,
  )
  return rows.length > 0 ? rows : undefined
}

describeEachJobDatabase('the envelope of authority', (target) => {
  let db: Database
  let stage: JobsStage
  afterEach(async () => {
    await stage.close()
    await db.close()
  })

  it('stops a job at its step limit and puts it in the staff inbox with the reason', async () => {
    db = await target.open()
    stage = await jobsStage(db, { envelopes: { email: { maxSteps: 3 } } })
    await stage.jobs.receiveEmail(
      Buffer.from(
        email({
          from: MAYA,
          subject: 'Account',
          body: 'Please keep looking at my account.',
          messageId: '<steps@mail.example.com>',
        }),
      ),
      arrival,
    )
    expect(await stage.until(() => finishedRuns(db))).toEqual([
      { status: 'handed_over', reason: 'step_limit', steps: 3 },
    ])
    const inbox = await listInbox(db, JOBS_INBOX)
    expect(inbox.map((item) => [item.kind, item.title])).toEqual([
      ['job', 'Handed to a person (email): step_limit'],
    ])
    expect(inbox[0]?.lines).toEqual([
      { label: 'Why', value: 'the job reached its step limit before it had an answer' },
      { label: 'From', value: MAYA },
      { label: 'Subject', value: 'Account' },
      { label: 'Email', value: 'Please keep looking at my account.' },
    ])
    expect(await count(db, 'email_outbox')).toBe(0)
    expect(await count(db, `audit_log WHERE action = 'job_handed_over'`)).toBe(1)
  })

  it('keeps a reply past the per-job token budget as a draft for staff, and hands the job over', async () => {
    db = await target.open()
    stage = await jobsStage(db, { envelopes: { email: { tokensPerJob: 50_000 } } })
    await stage.jobs.receiveEmail(
      Buffer.from(
        email({
          from: MAYA,
          subject: 'Question',
          body: 'Explain the returns policy in detail.',
          messageId: '<tokens@mail.example.com>',
        }),
      ),
      arrival,
    )
    const [run] = await stage.until(() => finishedRuns(db))
    expect(run).toMatchObject({ status: 'handed_over', reason: 'token_budget' })
    const { rows } = await db.query<{ status: string; reason: string }>(
      'SELECT status, reason FROM email_outbox',
    )
    expect(rows).toEqual([{ status: 'draft', reason: expect.stringMatching(/^token_budget: /) }])
    const kinds = (await listInbox(db, JOBS_INBOX)).map((item) => item.kind).sort()
    expect(kinds).toEqual(['draft', 'job'])
    expect(stage.receiver.messages()).toEqual([])
  })

  it('stops taking jobs of a trigger once the day’s token budget is spent', async () => {
    db = await target.open()
    stage = await jobsStage(db, { envelopes: { email: { tokensPerDay: 1 } } })
    await db.query(
      `INSERT INTO job_runs (job_id, attempt, task, trigger, status, finished_at, input_tokens)
       VALUES (0, 1, 'email:answer', 'email', 'done', now(), 10)`,
    )
    await stage.jobs.receiveEmail(
      Buffer.from(
        email({
          from: MAYA,
          subject: 'Order',
          body: 'Order #4429?',
          messageId: '<day@mail.example.com>',
        }),
      ),
      arrival,
    )
    const runs = await stage.until(async () => {
      const all = await finishedRuns(db)
      return all !== undefined && all.length > 1 ? all : undefined
    })
    expect(runs[1]).toMatchObject({ status: 'handed_over', reason: 'daily_budget', steps: 0 })
    expect(
      await count(
        db,
        'messages WHERE conversation_id = (SELECT conversation_id FROM inbound_emails)',
      ),
    ).toBe(0)
  })

  it('drafts replies by default, and sends a draft once a person approves it', async () => {
    db = await target.open()
    // Unset, as on a new installation (the stage sets it to send otherwise).
    stage = await jobsStage(db, { env: { JOBS_REPLIES: '' } })
    await stage.jobs.receiveEmail(
      Buffer.from(
        email({
          from: MAYA,
          subject: 'Order',
          body: 'Status of order #4429?',
          messageId: '<draft@mail.example.com>',
        }),
      ),
      arrival,
    )
    const [draft] = await stage.until(async () => {
      const items = (await listInbox(db, JOBS_INBOX)).filter((item) => item.kind === 'draft')
      return items.length > 0 ? items : undefined
    })
    expect(draft?.lines).toContainEqual({ label: 'To', value: MAYA })
    expect(stage.receiver.messages()).toEqual([])
    const send = JOBS_INBOX.find((source) => source.kind === 'draft')?.actions.find(
      (action) => action.name === 'send',
    )
    if (send === undefined) throw new Error('drafts have no send action')
    await db.transaction((tx) =>
      send.run(
        {
          tx,
          identity: { sub: 'demo|staff-sam', role: 'staff', scopes: ['staff'] },
          record: async () => 0,
        },
        draft?.id.split(':')[1] ?? '',
        { text: 'Your refund for order #4429 is on its way.' },
      ),
    )
    const [sent] = await stage.receiver.waitFor(1, 20_000)
    expect(sent?.text.trim()).toBe('Your refund for order #4429 is on its way.')
    expect(sent?.to).toEqual([MAYA])
    expect((await listInbox(db, JOBS_INBOX)).filter((item) => item.kind === 'draft')).toEqual([])
  })
})

async function count(db: Database, sql: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`)
  return rows[0]?.n ?? 0
}
