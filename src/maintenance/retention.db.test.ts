import { afterEach, beforeEach, expect, it } from 'vitest'
import { expectSqlState } from '../../test/support/expect-sql-error.ts'
import { describeEachDatabase, type TestDatabase } from '../../test/support/test-databases.ts'
import { createLogger } from '../lib/logger.ts'
import { SQLSTATE } from '../store/sql-error.ts'
import { applyRetention, type RetentionPolicy } from './retention.ts'
import { scheduleRetention } from './retention-schedule.ts'

const POLICY: RetentionPolicy = { messageHours: 48, auditDays: 365, idempotencyHours: 24 }

const OLD = "now() - interval '3 days'"
const FRESH = "now() - interval '1 hour'"

describeEachDatabase('retention', (target) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('fixture')
  })
  afterEach(() => db.close())

  /** A conversation started `started` ago with one message per entry of `messages`. */
  async function conversation(name: string, started: string, messages: string[]) {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO conversations (user_id, started_at) VALUES ($1, ${started}) RETURNING id`,
      [`user-${name}`],
    )
    const id = rows[0]?.id ?? ''
    for (const at of messages) {
      await db.query(
        `INSERT INTO messages (conversation_id, role, content, created_at)
         VALUES ($1, 'user', $2, ${at})`,
        [id, `${name} at ${at}`],
      )
    }
    return id
  }

  async function run(conversationId: string, status: string, updated: string) {
    await db.query(
      `INSERT INTO agent_runs (conversation_id, user_id, state, status, updated_at)
       VALUES ($1, 'u', '{}', $2, ${updated})`,
      [conversationId, status],
    )
  }

  async function audit(action: string, at: string, invocation?: string) {
    await db.query(
      `INSERT INTO audit_log (action, actor, invocation_id, created_at)
       VALUES ($1, 'test', $2, ${at})`,
      [action, invocation ?? null],
    )
  }

  async function invocation(at: string): Promise<string> {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO capability_invocations (actor, capability, status, latency_ms, created_at)
       VALUES ('test', 'mcp:t', 'ok', 1, ${at}) RETURNING id`,
    )
    return rows[0]?.id ?? ''
  }

  const count = async (sql: string) =>
    Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${sql}`)).rows[0]?.n)

  it('removes only what expired, keeps what is still in use, and records what it removed', async () => {
    const expired = await conversation('expired', OLD, [OLD, OLD])
    const mixed = await conversation('mixed', OLD, [OLD, FRESH])
    const waiting = await conversation('waiting', OLD, [OLD])
    await run(waiting, 'waiting', OLD)
    const busy = await conversation('busy', OLD, [OLD])
    // A turn in progress: message_received written, its messages not yet.
    await db.query(
      `INSERT INTO audit_log (action, actor, conversation_id) VALUES ('message_received', 'w', $1)`,
      [busy],
    )
    await run(mixed, 'finished', OLD)
    await run(mixed, 'failed', FRESH)
    await db.query(
      `INSERT INTO idempotency_records (tool, idempotency_key, subject, request_hash, response, created_at)
       VALUES ('t', 'old-key-1', 's', 'h', '{}', now() - interval '25 hours'),
              ('t', 'new-key-1', 's', 'h', '{}', now() - interval '23 hours')`,
    )
    await db.query(
      `INSERT INTO rate_limits (key, tat) VALUES
         ('chat:gone', now() - interval '1 minute'), ('chat:busy', now() + interval '1 minute')`,
    )
    const ancient = await invocation("now() - interval '400 days'")
    const recent = await invocation("now() - interval '10 days'")
    await audit('capability_invoked', "now() - interval '400 days'", ancient)
    await audit('seed_run', "now() - interval '366 days'")
    await audit('capability_invoked', "now() - interval '10 days'", recent)
    // An invocation whose audit row is kept, though the invocation itself is old.
    const kept = await invocation("now() - interval '400 days'")
    await audit('capability_invoked', "now() - interval '364 days'", kept)
    await db.query(
      `INSERT INTO agent_spans (trace_id, span_id, kind, started_at) VALUES
         ('t1', 's1', 'agent', now() - interval '400 days'), ('t2', 's2', 'agent', now())`,
    )
    // A live-update change older than a day (the feed's fresh ones, from the rows above, stay).
    await db.query(
      `INSERT INTO change_events (seq, scope, kind, created_at)
       VALUES (-1, 'inbox', 'old', now() - interval '25 hours')`,
    )
    // An email answered long ago and its sent reply go; a fresh one and a queued reply stay.
    await db.query(
      `INSERT INTO inbound_emails (message_id, via, from_address, subject, body, verdict, status,
                                   received_at)
       VALUES ('<old@x>', 'smtp', 'a@x', 's', 'b', '{}', 'answered', now() - interval '3 days'),
              ('<new@x>', 'smtp', 'a@x', 's', 'b', '{}', 'answered', now())`,
    )
    await db.query(
      `INSERT INTO email_outbox (message_id, conversation_id, to_address, subject, body, status,
                                 created_at)
       VALUES ('<r1@x>', $1, 'a@x', 's', 'b', 'sent', now() - interval '3 days'),
              ('<r2@x>', $1, 'a@x', 's', 'b', 'queued', now() - interval '3 days')`,
      [mixed],
    )
    // A question answered long ago goes, and so does one nobody answered (closed as a no first);
    // one still waiting for its answer stays.
    await db.query(
      `INSERT INTO consent_requests (asked_of, tool, arguments_digest, summary, asked_at, answer,
                                     answered_at)
       VALUES ('a', 't', repeat('0', 64), '{}', now() - interval '3 days', 'accepted', now()),
              ('a', 't', repeat('0', 64), '{}', now() - interval '3 days', NULL, NULL),
              ('a', 't', repeat('0', 64), '{}', now() - interval '1 minute', NULL, NULL)`,
    )
    // A job's run past the audit's age goes; a recent one stays.
    await db.query(
      `INSERT INTO job_runs (job_id, attempt, task, trigger, status, started_at, finished_at)
       VALUES (1, 1, 'email:answer', 'email', 'done', now() - interval '400 days', now() - interval '400 days'),
              (2, 1, 'email:answer', 'email', 'done', now(), now())`,
    )
    const freshChanges = await count('change_events WHERE seq > 0')
    const auditBefore = await count('audit_log')

    const steps: string[] = []
    const report = await applyRetention(db, POLICY, (step) => steps.push(step))

    expect(report).toEqual({
      messages: 5,
      agentRuns: 1,
      consentRequests: 2,
      conversations: 1,
      idempotencyRecords: 1,
      rateLimits: 1,
      changeEvents: 1,
      emails: 1,
      outbox: 1,
      jobRuns: 1,
      spans: 1,
      auditRows: 2,
      invocations: 1,
    })
    expect(steps).toHaveLength(13)
    expect(await count('consent_requests WHERE answer IS NULL')).toBe(1)
    expect(await count(`audit_log WHERE action = 'consent_declined'`)).toBe(1)
    expect(await count('job_runs')).toBe(1)
    expect(await count(`inbound_emails WHERE message_id = '<new@x>'`)).toBe(1)
    expect(await count(`email_outbox WHERE status = 'queued'`)).toBe(1)
    expect(await count('change_events')).toBe(freshChanges)
    const left = await db.query<{ conversation_id: string; content: string }>(
      'SELECT conversation_id, content FROM messages ORDER BY conversation_id',
    )
    expect(left.rows).toEqual([{ conversation_id: mixed, content: `mixed at ${FRESH}` }])
    const conversations = await db.query<{ id: string }>('SELECT id FROM conversations')
    expect(conversations.rows.map((r) => r.id).sort()).toEqual([mixed, waiting, busy].sort())
    expect(conversations.rows.map((r) => r.id)).not.toContain(expired)
    expect(await count(`agent_runs WHERE status = 'finished'`)).toBe(0)
    expect(await count(`agent_runs WHERE status IN ('waiting', 'failed')`)).toBe(2)
    expect((await db.query('SELECT idempotency_key FROM idempotency_records')).rows).toEqual([
      { idempotency_key: 'new-key-1' },
    ])
    expect((await db.query('SELECT key FROM rate_limits')).rows).toEqual([{ key: 'chat:busy' }])
    expect((await db.query('SELECT trace_id FROM agent_spans')).rows).toEqual([{ trace_id: 't2' }])
    expect(
      (await db.query<{ id: string }>('SELECT id FROM capability_invocations ORDER BY id')).rows
        .map((r) => r.id)
        .sort(),
    ).toEqual([recent, kept].sort())
    // Two audit rows went, and two were added: the unanswered question's no, and this run's record.
    expect(await count('audit_log')).toBe(auditBefore - 2 + 2)
    const recorded = await db.query<{ actor: string; payload: unknown }>(
      `SELECT actor, payload FROM audit_log WHERE action = 'retention_applied'`,
    )
    expect(recorded.rows).toEqual([
      { actor: 'system:retention', payload: { removed: report, policy: POLICY } },
    ])

    // Nothing more has expired: a second run removes nothing and records nothing.
    const again = await applyRetention(db, POLICY)
    expect(Object.values(again).every((n) => n === 0)).toBe(true)
    expect(await count(`audit_log WHERE action = 'retention_applied'`)).toBe(1)
  })

  it('keeps the audit log append-only outside expiry, and never expires a row younger than 30 days', async () => {
    await audit('seed_run', "now() - interval '40 days'")
    await audit('seed_run', "now() - interval '20 days'")
    await expectSqlState(
      () => db.exec('DELETE FROM audit_log'),
      [SQLSTATE.raiseException, SQLSTATE.insufficientPrivilege],
    )
    const refused = await expectSqlState(
      () => db.query(`SELECT audit_log_expire(now() - interval '1 day', 100)`),
      SQLSTATE.raiseException,
    )
    expect(refused).toMatch(/kept at least 30 days/)
    await expect(applyRetention(db, { ...POLICY, auditDays: 29 })).rejects.toThrow(/30 days/)
    // The setting the expiry function uses, set by hand, lifts neither the floor nor the privilege.
    await expectSqlState(
      () =>
        db.transaction(async (tx) => {
          await tx.query(`SELECT set_config('fte.audit_expiry_cutoff', 'infinity', true)`)
          await tx.query('DELETE FROM audit_log')
        }),
      [SQLSTATE.raiseException, SQLSTATE.insufficientPrivilege],
    )
    expect(await count('audit_log')).toBe(2)
    // 35 days: the 40-day-old row goes, the 20-day-old one stays.
    expect((await applyRetention(db, { ...POLICY, auditDays: 35 })).auditRows).toBe(1)
    expect(await count(`audit_log WHERE action = 'seed_run'`)).toBe(1)
    // The function gave the privilege back: a plain DELETE is refused as before.
    await expectSqlState(
      () => db.exec(`DELETE FROM audit_log WHERE action = 'seed_run'`),
      [SQLSTATE.raiseException, SQLSTATE.insufficientPrivilege],
    )
  })

  it('lets two servers expire audit rows at the same moment', async () => {
    for (let i = 0; i < 20; i++) await audit('seed_run', "now() - interval '400 days'")
    const runs = await Promise.all(Array.from({ length: 4 }, () => applyRetention(db, POLICY)))
    expect(runs.reduce((sum, r) => sum + r.auditRows, 0)).toBe(20)
    expect(await count(`audit_log WHERE action = 'seed_run'`)).toBe(0)
  })

  it('runs inside the server at start and then on its interval, unless the interval is 0', async () => {
    await conversation('expired', OLD, [OLD])
    const logger = createLogger({ level: 'silent' })
    const off = scheduleRetention(db, { policy: POLICY, intervalMinutes: 0 }, logger)
    await off.stop()
    expect(await count('messages')).toBe(1)
    const on = scheduleRetention(db, { policy: POLICY, intervalMinutes: 60 }, logger)
    await expect.poll(() => count('messages')).toBe(0)
    await on.stop()
    expect(await count(`audit_log WHERE action = 'retention_applied'`)).toBe(1)
  })
})
