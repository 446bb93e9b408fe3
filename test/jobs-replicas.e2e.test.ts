import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { demoData } from '../domains/support/demo/demo-data.ts'
import { emailModel } from './support/email-model.ts'
import type { ServeProcess } from './support/fte-subprocess.ts'
import { completedTasks, postEmail, serveJobs } from './support/jobs-serve.ts'
import { email } from './support/jobs-stage.ts'
import { emptyPostgresDatabase, postgresAvailable } from './support/scratch-postgres.ts'
import type { ScriptedOpenAiServer } from './support/scripted-openai-server.ts'
import { countOf, servedDatabaseClient } from './support/served-database.ts'
import { type SmtpReceiver, startSmtpReceiver } from './support/smtp-receiver.ts'
import { until } from './support/until.ts'

const EMAILS = 200

/** Every demo customer with each of their orders: who writes, and which order they ask about. */
const ASKERS = demoData.orders.map((order) => {
  const customer = demoData.customers.find((c) => c.email === order.customerEmail)
  return { address: order.customerEmail, name: customer?.name ?? '', order: order.publicId }
})

/** The `i`th email: a customer asking about one of their own orders, with its own Message-ID. */
function nthEmail(i: number) {
  const asker = ASKERS[i % ASKERS.length] as (typeof ASKERS)[number]
  const messageId = `<replicas-${i}@mail.example.com>`
  return {
    messageId,
    to: asker.address,
    raw: email({
      from: `${asker.name} <${asker.address}>`,
      subject: `Question ${i} about my order #${asker.order}`,
      body: `Hello, what is the status of order #${asker.order}?\n\nThanks, ${asker.name}`,
      messageId,
    }),
  }
}

describe.skipIf(!postgresAvailable)('two fte serve replicas on one Postgres database', () => {
  let dir: string
  let model: ScriptedOpenAiServer
  let receiver: SmtpReceiver
  let postgres: Awaited<ReturnType<typeof emptyPostgresDatabase>>
  const replicas: ServeProcess[] = []
  let db: pg.Client

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fte-replicas-'))
    model = await emailModel().start()
    receiver = await startSmtpReceiver()
    postgres = await emptyPostgresDatabase()
    const replica = (name: string) =>
      serveJobs({
        cwd: dir,
        dataDir: join(dir, name),
        modelUrl: model.url,
        smtpUrl: receiver.url,
        env: { DATABASE_URL: postgres.url, JOBS_CONCURRENCY: '4' },
      })
    // The first migrates the new database and loads the demo data; the second finds it ready.
    const begun = performance.now()
    replicas.push(await replica('a'))
    replicas.push(await replica('b'))
    console.info(`jobs-replicas: two replicas started in ${ms(begun)}`)
    db = await servedDatabaseClient({ url: postgres.url })
  }, 180_000)
  afterAll(async () => {
    await db?.end()
    for (const replica of replicas) await replica.interrupt()
    await receiver?.close()
    await model?.stop()
    await postgres?.drop()
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  /** How far the work got, for a failure's message: runs by outcome, the queue, warnings logged. */
  async function progress(): Promise<string> {
    const { rows: runs } = await db.query(
      `SELECT task, status, reason, count(*)::int AS n FROM job_runs GROUP BY 1, 2, 3 ORDER BY 1, 2`,
    )
    const { rows: queue } = await db.query(
      `SELECT task_identifier, attempts, locked_by IS NOT NULL AS locked, left(last_error, 200) AS error,
              count(*)::int AS n
       FROM graphile_worker.jobs GROUP BY 1, 2, 3, 4`,
    )
    const warnings = replicas.map((r) =>
      r
        .output()
        .stderr.split('\n')
        .filter((line) => /"level":(40|50)/.test(line))
        .slice(-3),
    )
    return JSON.stringify({ received: receiver.messages().length, runs, queue, warnings })
  }

  it(`answers ${EMAILS} emails posted to both at once: one conversation and one reply each, no duplicate, the audit trail matching, and both replicas working`, async () => {
    const emails = Array.from({ length: EMAILS }, (_, i) => nthEmail(i))
    // The demo data's own conversation is there before.
    const before = await countOf(db, 'SELECT 1 FROM conversations')
    const begun = performance.now()
    const answers = await Promise.all(
      emails.map(async (mail, i) => {
        const response = await postEmail((replicas[i % 2] as ServeProcess).url, mail.raw)
        return { status: response.status, body: (await response.json()) as { duplicate?: boolean } }
      }),
    )
    const posted = performance.now()
    expect(answers.filter((a) => a.status !== 202 || a.body.duplicate !== false)).toEqual([])

    const replies = await receiver.waitFor(EMAILS, 60_000).catch(async (error: Error) => {
      throw new Error(`${error.message}: ${await progress()}`)
    })
    const replied = performance.now()
    // The last replies are marked sent just after the receiver answered 250.
    await until(
      async () =>
        (await countOf(db, `SELECT 1 FROM job_runs WHERE status <> 'running'`)) >= 2 * EMAILS &&
        (await countOf(db, 'SELECT 1 FROM graphile_worker._private_jobs')) === 0,
      30_000,
    )
    console.info(
      `jobs-replicas: ${EMAILS} emails posted in ${ms(begun, posted)}, all replied to ${ms(posted, replied)} later, ` +
        `${((2 * EMAILS) / ((performance.now() - begun) / 1000)).toFixed(1)} jobs/s across both`,
    )

    // One reply per email, threaded to it, to the customer's own address, delivered once.
    expect(replies).toHaveLength(EMAILS)
    const byEmail = new Map(replies.map((reply) => [reply.inReplyTo, reply]))
    for (const mail of emails) {
      const reply = byEmail.get(mail.messageId)
      expect(reply?.to, mail.messageId).toEqual([mail.to])
      expect(reply?.text, mail.messageId).toMatch(/^Here is what we have: /)
      expect(receiver.deliveries(reply?.messageId ?? ''), mail.messageId).toBe(1)
    }

    // One conversation per email, nothing else opened one, and one answer in each.
    expect(await countOf(db, 'SELECT 1 FROM conversations')).toBe(before + EMAILS)
    expect(await countOf(db, 'SELECT DISTINCT conversation_id FROM inbound_emails')).toBe(EMAILS)
    expect(
      await countOf(db, `SELECT 1 FROM conversations WHERE metadata->>'channel' = 'email'`),
    ).toBe(EMAILS)
    // Each outbox row is the one answer the Worker wrote in its conversation (tool calls aside).
    expect(
      await countOf(
        db,
        `SELECT o.id FROM email_outbox o
         JOIN messages m ON m.conversation_id = o.conversation_id
                        AND m.role = 'assistant' AND m.item->>'type' = 'message'
         GROUP BY o.id HAVING count(*) = 1 AND bool_and(m.content = o.body)`,
      ),
    ).toBe(EMAILS)
    expect(await countOf(db, `SELECT 1 FROM email_outbox WHERE status = 'sent'`)).toBe(EMAILS)

    const { rows: audit } = await db.query<{ action: string; n: number }>(
      `SELECT action, count(*)::int AS n FROM audit_log
       WHERE action IN ('email_received', 'email_sent', 'job_started', 'job_finished', 'job_failed',
                        'job_handed_over', 'inbound_refused')
       GROUP BY action ORDER BY action`,
    )
    expect(audit).toEqual([
      { action: 'email_received', n: EMAILS },
      { action: 'email_sent', n: EMAILS },
      { action: 'job_finished', n: 2 * EMAILS },
      { action: 'job_started', n: 2 * EMAILS },
    ])
    const { rows: runs } = await db.query<{ task: string; status: string; n: number }>(
      `SELECT task, status, count(*)::int AS n FROM job_runs GROUP BY task, status ORDER BY task`,
    )
    expect(runs).toEqual([
      { task: 'email:answer', status: 'done', n: EMAILS },
      { task: 'email:send', status: 'done', n: EMAILS },
    ])

    // job_runs does not say which process ran a run: each replica's queue logs what it completed.
    const [a, b] = replicas.map(completedTasks)
    console.info(
      `jobs-replicas: replica a completed ${JSON.stringify(Object.fromEntries(a ?? []))}, b ${JSON.stringify(Object.fromEntries(b ?? []))}`,
    )
    for (const task of ['email:answer', 'email:send']) {
      expect(a?.get(task), `replica a ran ${task}`).toBeGreaterThan(0)
      expect(b?.get(task), `replica b ran ${task}`).toBeGreaterThan(0)
      expect((a?.get(task) ?? 0) + (b?.get(task) ?? 0)).toBe(EMAILS)
    }
  }, 240_000)
})

function ms(from: number, to = performance.now()): string {
  return `${((to - from) / 1000).toFixed(1)} s`
}
