import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type pg from 'pg'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { emailModel } from './support/email-model.ts'
import type { ServeProcess } from './support/fte-subprocess.ts'
import { killHard, postEmail, serveJobs } from './support/jobs-serve.ts'
import { email } from './support/jobs-stage.ts'
import { emptyPostgresDatabase, postgresAvailable } from './support/scratch-postgres.ts'
import type { ScriptedOpenAiServer } from './support/scripted-openai-server.ts'
import { countOf, type ServedDatabase, servedDatabaseClient } from './support/served-database.ts'
import { type SmtpReceiver, startSmtpReceiver } from './support/smtp-receiver.ts'
import { until } from './support/until.ts'

const MESSAGE_ID = '<crash-1@mail.example.com>'

// The embedded database is the case that matters most: the jobs run in the process that holds it,
// so the process killed is the database's too. On Postgres the database outlives the process.
const DATABASES = [
  { name: 'embedded', available: true },
  { name: 'postgres', available: postgresAvailable },
] as const

for (const database of DATABASES) {
  describe.skipIf(!database.available)(`kill -9 of fte serve mid-send [${database.name}]`, () => {
    let dir: string
    let model: ScriptedOpenAiServer
    let receiver: SmtpReceiver
    let postgres: Awaited<ReturnType<typeof emptyPostgresDatabase>> | undefined
    let server: ServeProcess | undefined
    let where: ServedDatabase
    let db: pg.Client | undefined

    const start = () =>
      serveJobs({
        cwd: dir,
        dataDir: join(dir, 'data'),
        modelUrl: model.url,
        smtpUrl: receiver.url,
        env: {
          // A process silent for 3 s is dead: its jobs go back to the queue.
          JOBS_STALE_SECONDS: '3',
          ...(postgres === undefined ? {} : { DATABASE_URL: postgres.url }),
        },
      })

    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'fte-crash-'))
      model = await emailModel().start()
      receiver = await startSmtpReceiver()
      postgres = database.name === 'postgres' ? await emptyPostgresDatabase() : undefined
      where = postgres === undefined ? { dataDir: join(dir, 'data') } : { url: postgres.url }
    })
    afterEach(async () => {
      await db?.end()
      await server?.interrupt()
      await receiver.close()
      await model.stop()
      await postgres?.drop()
      await rm(dir, { recursive: true, force: true })
    })

    it('sends the reply again after a restart with the same Message-ID: one message at the receiver, one reply, no job lost or run twice', async () => {
      server = await start()
      receiver.stallNext()
      const posted = await postEmail(
        server.url,
        email({
          from: 'Maya Okafor <maya.okafor@example.com>',
          subject: 'Where is my lamp money?',
          body: 'Hello, what is the status of order #4429?\n\nThanks, Maya',
          messageId: MESSAGE_ID,
        }),
      )
      expect(posted.status).toBe(202)
      // The receiver has the reply, and the server waits for a 250 that does not come: killed now,
      // it cannot know whether the reply was delivered.
      const [held] = await receiver.waitFor(1, 60_000)
      const replyId = held?.messageId ?? ''
      const before = await servedDatabaseClient(where)
      try {
        const { rows } = await before.query(
          `SELECT task, status FROM job_runs WHERE status = 'running'`,
        )
        expect(rows).toEqual([{ task: 'email:send', status: 'running' }])
      } finally {
        await before.end()
      }
      await killHard(server)

      const killed = performance.now()
      server = await start()
      db = await servedDatabaseClient(where)
      const client = db
      await until(
        async () =>
          (await countOf(client, `SELECT 1 FROM email_outbox WHERE status = 'sent'`)) === 1,
        60_000,
      )
      // The row says sent as soon as the server took it; the run is recorded a moment later.
      await until(
        async () =>
          (await countOf(client, `SELECT 1 FROM job_runs WHERE status = 'running'`)) === 0,
        30_000,
      )
      console.info(
        `jobs-crash [${database.name}]: the reply was sent again ${((performance.now() - killed) / 1000).toFixed(1)} s after the kill (restart included)`,
      )

      // One message with that Message-ID. The receiver accepted it twice, the stalled delivery and
      // the resend; a mailbox counting by Message-ID (as the receiver's messages() does) shows one.
      expect(receiver.messages().map((m) => m.messageId)).toEqual([replyId])
      expect(receiver.deliveries(replyId)).toBe(2)
      expect(held?.inReplyTo).toBe(MESSAGE_ID)

      // One reply for the email: one outbox row, sent, tried twice; one answer in the conversation.
      const { rows: outbox } = await db.query(
        'SELECT message_id, status, attempts FROM email_outbox',
      )
      expect(outbox).toEqual([{ message_id: replyId, status: 'sent', attempts: 2 }])
      const { rows: conversation } = await db.query<{ role: string; type: string }>(
        `SELECT m.role, m.item->>'type' AS type FROM messages m
         JOIN inbound_emails i ON i.conversation_id = m.conversation_id
         WHERE i.message_id = $1 ORDER BY m.seq`,
        [MESSAGE_ID],
      )
      expect(conversation.map((m) => `${m.role} ${m.type}`)).toEqual([
        'user message',
        'assistant function_call',
        'tool function_call_result',
        'assistant message',
      ])

      // The send interrupted by the kill ended as failed (its process died) when the dead process's
      // lock was handed back; its job ran again (its second attempt) and finished. Nothing is left
      // in the queue: no job waiting, none kept as failed.
      const { rows: runs } = await db.query<{
        task: string
        status: string
        attempt: number
        job_id: string
      }>('SELECT task, status, attempt, job_id FROM job_runs ORDER BY id')
      expect(runs.map((r) => `${r.task} ${r.status} (attempt ${r.attempt})`)).toEqual([
        'email:answer done (attempt 1)',
        'email:send failed (attempt 1)',
        'email:send done (attempt 2)',
      ])
      expect(runs[1]?.job_id).toBe(runs[2]?.job_id)
      expect(server.output().stderr).toContain(
        'jobs held by a process that stopped answering were handed back to the queue',
      )
      const { rows: queue } = await db.query(
        'SELECT task_identifier, attempts, max_attempts, key FROM graphile_worker.jobs',
      )
      expect(queue).toEqual([])
      const { rows: audit } = await db.query<{ action: string; n: number }>(
        `SELECT action, count(*)::int AS n FROM audit_log
         WHERE action IN ('email_received', 'email_sent', 'job_started', 'job_finished', 'job_failed')
         GROUP BY action ORDER BY action`,
      )
      expect(audit).toEqual([
        { action: 'email_received', n: 1 },
        { action: 'email_sent', n: 1 },
        { action: 'job_failed', n: 1 },
        { action: 'job_finished', n: 2 },
        { action: 'job_started', n: 3 },
      ])
      const { rows: died } = await db.query<{ reason: string }>(
        `SELECT reason FROM job_runs WHERE status = 'failed'`,
      )
      expect(died).toEqual([{ reason: 'process_died' }])
    }, 180_000)
  })
}
