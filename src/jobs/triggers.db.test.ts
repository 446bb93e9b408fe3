import { afterEach, beforeEach, expect, it } from 'vitest'
import { describeEachJobDatabase } from '../../test/support/job-databases.ts'
import { type JobsStage, jobsStage } from '../../test/support/jobs-stage.ts'
import { inboundApi } from '../http/inbound-api.ts'
import type { Database } from '../store/database.ts'
import { jobsDoor } from './inbound/jobs-door.ts'
import { signPayload } from './inbound/signature.ts'
import { enqueue } from './job-queue.ts'
import { DO_WORK } from './record-work.ts'
import { RUN_SCHEDULE } from './triggers/run-schedule.ts'

const SECRET = 'store-webhook-secret-of-thirty-two-chars'
const MAYA = 'maya.okafor@example.com'

async function count(db: Database, sql: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`)
  return rows[0]?.n ?? 0
}

describeEachJobDatabase('webhooks and schedules', (target) => {
  let db: Database
  let stage: JobsStage
  beforeEach(async () => {
    db = await target.open()
    stage = await jobsStage(db)
  })
  afterEach(async () => {
    await stage.close()
    await db.close()
  })

  const post = (body: string, signature: string | undefined) =>
    inboundApi({
      secrets: { webhook: [SECRET] },
      toleranceSeconds: 300,
      maxBytes: 64 * 1024,
      eventKinds: ['store.refund_failed', 'helpdesk.ticket_created'],
      door: jobsDoor(stage.jobs),
    }).request('http://fte.test/webhook', {
      method: 'POST',
      body,
      headers: signature === undefined ? {} : { 'fte-signature': signature },
    })

  const now = () => Math.floor(Date.now() / 1000)
  const event = JSON.stringify({
    kind: 'store.refund_failed',
    id: 'evt_1',
    data: { order: '4429', reason: 'card expired' },
  })

  it('turns a signed event into a job whose reply goes to the customer of the order', async () => {
    const response = await post(event, signPayload(SECRET, event, now()))
    expect(response.status).toBe(202)
    const [reply] = await stage.receiver.waitFor(1, 30_000)
    expect(reply?.to).toEqual([MAYA])
    expect(reply?.subject).toMatch(/^About the refund for order #4429 \[ref:[A-Z0-9]{8}\]$/)
    expect(reply?.inReplyTo).toBeNull()
    await stage.settled()
    const { rows } = await db.query<{ trigger: string; status: string }>(
      `SELECT trigger, status FROM job_runs WHERE task = 'webhook:event'`,
    )
    expect(rows).toEqual([{ trigger: 'webhook:store.refund_failed', status: 'done' }])
  })

  it('refuses a bad signature, a stale timestamp and a replayed body, records each, and queues nothing', async () => {
    const good = signPayload(SECRET, event, now())
    expect((await post(event, good)).status).toBe(202)
    // Each refused event but the replay is a new one: had it got through, it would be a job.
    const other = (id: string) => event.replace('evt_1', id)
    const refusals = [
      await post(
        other('evt_2'),
        signPayload('another-secret-of-thirty-two-chars!!', other('evt_2'), now()),
      ),
      await post(other('evt_3'), signPayload(SECRET, other('evt_3'), now() - 3600)),
      await post(event, good),
      await post(other('evt_4'), undefined),
    ]
    expect(refusals.map((r) => r.status)).toEqual([401, 401, 409, 401])
    const { rows } = await db.query<{ reason: string }>(
      `SELECT payload->>'reason' AS reason FROM audit_log WHERE action = 'inbound_refused' ORDER BY id`,
    )
    expect(rows.map((row) => row.reason)).toEqual([
      'bad_signature',
      'stale',
      'replayed',
      'missing_signature',
    ])
    expect(await count(db, 'job_once')).toBe(1)
    expect(await count(db, 'inbound_receipts')).toBe(1)
  })

  it('runs the same event id once, even signed again', async () => {
    expect((await post(event, signPayload(SECRET, event, now()))).status).toBe(202)
    const again = await post(event, signPayload(SECRET, event, now() + 1))
    expect(again.status).toBe(202)
    expect(await again.json()).toMatchObject({ duplicate: true })
    await stage.receiver.waitFor(1, 30_000)
    await new Promise((resolve) => setTimeout(resolve, 1000))
    expect(stage.receiver.messages()).toHaveLength(1)
  })

  it('follows up a refund issued long ago whose ticket is still open, once however often the schedule runs', async () => {
    await db.query(
      `UPDATE refunds SET issued_at = now() - interval '10 days', status = 'issued'
       WHERE idempotency_key = 'demo-refund-4429'`,
    )
    await db.query(
      `UPDATE tickets SET status = 'open', resolved_at = NULL WHERE public_id = 'T-1013'`,
    )
    for (let i = 0; i < 2; i++) {
      await enqueue(db, {
        task: RUN_SCHEDULE,
        payload: { schedule: 'refund_follow_up' },
        maxAttempts: 1,
      })
    }
    const [reply] = await stage.receiver.waitFor(1, 30_000)
    expect(reply?.to).toEqual([MAYA])
    expect(reply?.subject).toMatch(/^Your refund for order #4429 \[ref:/)
    await stage.until(async () =>
      (await count(db, `job_runs WHERE task = 'schedule:run' AND status = 'done'`)) === 2
        ? true
        : undefined,
    )
    await new Promise((resolve) => setTimeout(resolve, 1000))
    expect(stage.receiver.messages()).toHaveLength(1)
    const { rows } = await db.query<{ trigger: string }>(
      `SELECT DISTINCT trigger FROM job_runs WHERE task IN ('schedule:run', 'work:run')`,
    )
    expect(rows).toEqual([{ trigger: 'schedule:refund_follow_up' }])
  })

  it('writes no second reply when an event’s job runs again after its reply was stored', async () => {
    expect((await post(event, signPayload(SECRET, event, now()))).status).toBe(202)
    await stage.receiver.waitFor(1, 30_000)
    // The same work again, as a retry after a crash or a stop would run it.
    await enqueue(db, {
      task: DO_WORK,
      payload: {
        trigger: 'webhook:store.refund_failed',
        key: 'webhook:store.refund_failed:evt_1',
        work: { record: await mayaId(db), message: 'Order #4429 again', subject: 'Again' },
      },
      maxAttempts: 1,
    })
    const done = await stage.until(async () => {
      const { rows: runs } = await db.query<{ detail: string | null }>(
        `SELECT detail FROM job_runs WHERE task IN ('webhook:event', 'work:run') AND status = 'done'
         ORDER BY id`,
      )
      return runs.length === 2 ? runs : undefined
    })
    expect(done[1]?.detail).toBe('replied already')
    expect(await count(db, 'email_outbox')).toBe(1)
    expect(stage.receiver.messages()).toHaveLength(1)
  })
})

async function mayaId(db: Database): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM customers WHERE email = 'maya.okafor@example.com'`,
  )
  return rows[0]?.id ?? ''
}
