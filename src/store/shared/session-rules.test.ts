import { describe, expect, it } from 'vitest'
import { backupStatement, inspectStatement, listenStatements } from './session-rules.ts'
import { startupSettings } from './startup-settings.ts'

describe('what a statement leaves in the shared session', () => {
  it('refuses what cannot be kept apart between clients, saying what to use instead', () => {
    for (const sql of [
      'SELECT pg_advisory_lock(1)',
      'select PG_TRY_ADVISORY_LOCK(hashtext($1))',
      'SELECT pg_advisory_lock_shared(1)',
      'SELECT pg_advisory_unlock_all()',
      'PREPARE q AS SELECT 1',
      'SELECT 1; DEALLOCATE q',
      'DISCARD ALL',
      'DECLARE c CURSOR WITH HOLD FOR SELECT 1',
      'LISTEN x',
      'SELECT 1; UNLISTEN *',
    ]) {
      expect(inspectStatement(sql).refused, sql).toBeDefined()
    }
    expect(inspectStatement('SELECT pg_advisory_lock(1)').refused).toContain(
      'pg_advisory_xact_lock',
    )
  })

  it('lets transaction-scoped work through untouched', () => {
    for (const sql of [
      'SELECT pg_advisory_xact_lock(1)',
      'SELECT pg_try_advisory_xact_lock(1)',
      'BEGIN; SET LOCAL statement_timeout = 5000',
      'SET TRANSACTION READ ONLY',
      'SET search_path TO x',
      "UPDATE t SET v = 'x' WHERE id = 1",
      "SELECT 'listen to this'",
      'WITH hold AS MATERIALIZED (SELECT 1) SELECT * FROM hold',
      'COPY t TO STDOUT',
      'CREATE TEMP TABLE s (x int)',
    ]) {
      expect(inspectStatement(sql), sql).toEqual({})
    }
  })

  it('refuses what would stop or end the one session, or hand it to another role', () => {
    for (const sql of [
      'COPY t FROM STDIN',
      'copy t (a, b) from stdin with (format csv)',
      'SET idle_in_transaction_session_timeout = 1000',
      "SELECT set_config('transaction_timeout', '1', false)",
      'SET ROLE nobody',
      'SET SESSION AUTHORIZATION nobody',
    ]) {
      expect(inspectStatement(sql).refused, sql).toBeDefined()
    }
  })

  it('recognises a query made only of LISTEN and UNLISTEN, folding unquoted names as Postgres does', () => {
    expect(listenStatements('LISTEN fte_Changes')).toEqual([
      { action: 'listen', channel: 'fte_changes' },
    ])
    expect(listenStatements('listen "Mixed";')).toEqual([{ action: 'listen', channel: 'Mixed' }])
    expect(listenStatements('UNLISTEN *')).toEqual([{ action: 'unlisten', channel: '*' }])
    // As graphile-worker sends them.
    expect(listenStatements('LISTEN "jobs:insert"; LISTEN "worker:migrate";')).toEqual([
      { action: 'listen', channel: 'jobs:insert' },
      { action: 'listen', channel: 'worker:migrate' },
    ])
    expect(listenStatements('LISTEN *')).toBeUndefined()
    expect(listenStatements('LISTEN a; SELECT 1')).toBeUndefined()
    expect(listenStatements('SELECT 1')).toBeUndefined()
  })

  it("recognises the host's backup command, quotes and all", () => {
    expect(backupStatement("FTE BACKUP TO '/tmp/it''s.tar.gz'")).toBe("/tmp/it's.tar.gz")
    expect(backupStatement("SELECT 'FTE BACKUP TO x'")).toBeUndefined()
  })
})

describe("a client's start-up settings", () => {
  it('takes settings from parameters and from -c / -- options, and leaves the rest', () => {
    const params = new Map([
      ['user', 'fte'],
      ['database', 'fte'],
      ['application_name', 'digital-fte'],
      ['client_encoding', 'UTF8'],
      ['statement_timeout', '5000'],
      ['options', '-c default_transaction_read_only=on --search-path=a,b -clock_timeout=1'],
    ])
    expect(startupSettings(params)).toEqual([
      ['statement_timeout', '5000'],
      ['default_transaction_read_only', 'on'],
      ['search_path', 'a,b'],
      ['lock_timeout', '1'],
    ])
  })

  it('refuses a setting that would end the one session, or change whose it is', () => {
    expect(() => startupSettings(new Map([['options', '-c idle_session_timeout=1000']]))).toThrow(
      'cannot be set on the shared embedded database',
    )
    expect(() => startupSettings(new Map([['role', 'nobody']]))).toThrow('cannot be set')
  })

  it('refuses a setting name that is not one', () => {
    expect(() => startupSettings(new Map([['options', '-c bad;name=1']]))).toThrow(
      'invalid setting name',
    )
  })
})
