import { afterEach, beforeEach, expect, it } from 'vitest'
import { describeEachDatabase, type TestDatabase } from '../../test/support/test-databases.ts'
import { coreMigrations } from '../pack/domain-pack.ts'
import { loadMigrations } from '../store/migration-files.ts'
import { migrate } from '../store/migrator.ts'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'

describeEachDatabase('the trace columns (migration 015)', (target) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('empty')
  })
  afterEach(() => db.close())

  it('moves the trace calls recorded before kept in their arguments into the columns, and out of the arguments', async () => {
    const migrations = await loadMigrations([coreMigrations()])
    const before = migrations.filter((m) => m.version < 15)
    expect((await migrate(db, before)).error).toBeUndefined()
    // As the Worker and the gateway recorded a call, an approval's preview (no span), a call
    // from a client of its own, and one with no trace.
    const old = [
      { actor: 'worker:ada', _trace: `trace_${TRACE}/span_00f067aa0ba902b7cafe0123` },
      { actor: 'gateway:ada', _trace: `trace_${TRACE}/span_00f067aa0ba902b7cafe0123` },
      { actor: 'gateway:ada', _trace: `trace_${TRACE}/` },
      { actor: 'gateway:other', _trace: 'trace-abc-123' },
      { actor: 'gateway:ada' },
    ]
    for (const [i, row] of old.entries()) {
      const { actor, ...kept } = row
      await db.query(
        `INSERT INTO capability_invocations (actor, capability, arguments, status, latency_ms, created_at)
         VALUES ($1, 'mcp:domain_get_booking', $2::jsonb, 'ok', 1, now() + $3 * interval '1 second')`,
        [actor, JSON.stringify({ booking: 1, ...kept }), i],
      )
    }
    expect((await migrate(db, migrations)).error).toBeUndefined()
    const { rows } = await db.query<{
      trace_id: string | null
      parent_span_id: string | null
      arguments: unknown
    }>('SELECT trace_id, parent_span_id, arguments FROM capability_invocations ORDER BY created_at')
    expect(rows).toEqual([
      { trace_id: TRACE, parent_span_id: '00f067aa0ba902b7', arguments: { booking: 1 } },
      { trace_id: TRACE, parent_span_id: '00f067aa0ba902b7', arguments: { booking: 1 } },
      { trace_id: TRACE, parent_span_id: null, arguments: { booking: 1 } },
      { trace_id: null, parent_span_id: null, arguments: { booking: 1 } },
      { trace_id: null, parent_span_id: null, arguments: { booking: 1 } },
    ])
  })

  it('takes only W3C ids, in lowercase hex', async () => {
    const migrations = await loadMigrations([coreMigrations()])
    expect((await migrate(db, migrations)).error).toBeUndefined()
    for (const [column, value] of [
      ['trace_id', TRACE.toUpperCase()],
      ['trace_id', 'trace_1'],
      ['parent_span_id', 'span_00f067aa0ba902b7'],
    ]) {
      await expect(
        db.query(
          `INSERT INTO capability_invocations (actor, capability, status, latency_ms, ${column})
           VALUES ('system', 'mcp:health', 'ok', 1, $1)`,
          [value],
        ),
      ).rejects.toThrow(/check constraint/)
    }
    await expect(
      db.query(
        `INSERT INTO audit_log (actor, action, trace_id) VALUES ('system', 'seed_run', $1)`,
        [`trace_${TRACE}`],
      ),
    ).rejects.toThrow(/check constraint/)
  })
})
