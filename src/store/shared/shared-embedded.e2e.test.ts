import { readFileSync } from 'node:fs'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import type pg from 'pg'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SharedStage, watch } from '../../../test/support/embedded-holder.ts'
import { readHolder } from '../data-dir-lock.ts'
import { openEmbedded } from '../embedded.ts'

describe('the embedded database served by the process that holds it', () => {
  let stage: SharedStage
  let dataDir: string
  const client = (options?: pg.ClientConfig) => stage.client(options)
  const ids = () => stage.ids()

  beforeEach(async () => {
    stage = await SharedStage.create()
    dataDir = stage.dataDir
  })

  afterEach(() => stage.close())

  it('serves over a socket only its owner may open, and says who serves it', async () => {
    await stage.process()
    const found = readHolder(dataDir)
    expect(found?.socketDir).toBe(dataDir)
    expect((await stat(join(dataDir, '.s.PGSQL.5432'))).mode & 0o777).toBe(0o600)
    const db = await openEmbedded({ dataDir })
    try {
      expect(db.description).toBe(`embedded (${dataDir}), served by process ${found?.pid}`)
      expect((await db.query('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 0 }])
    } finally {
      await db.close()
    }
  })

  it("runs one client's transaction whole: another's statements and the holder's wait, and its ROLLBACK undoes only its own write", async () => {
    const holder = await stage.process()
    const a = await client()
    const b = await client()
    await a.query('BEGIN')
    await a.query(`INSERT INTO t VALUES (1, 'a')`)
    const bWrite = watch(b.query(`INSERT INTO t VALUES (2, 'b')`))
    holder.send('insert 3')
    // A's own statements still run (its transaction has the session), and B's and the holder's do not.
    for (let i = 0; i < 5; i++) await a.query('SELECT pg_sleep(0.02)')
    expect(bWrite.done()).toBe(false)
    expect((await a.query('SELECT id FROM t ORDER BY id')).rows).toEqual([{ id: 1 }])
    await a.query('ROLLBACK')
    await bWrite.promise
    await holder.line('inserted 3')
    expect(await ids()).toEqual([2, 3])
  })

  it('makes row locks and advisory locks exclude each other across processes: a transaction holding them keeps the others out until it ends', async () => {
    await stage.process()
    const a = await client()
    const b = await client()
    await a.query(`INSERT INTO t VALUES (1, 'start')`)
    await a.query('BEGIN')
    await a.query('SELECT * FROM t WHERE id = 1 FOR UPDATE')
    expect((await a.query('SELECT pg_try_advisory_xact_lock(42) AS got')).rows).toEqual([
      { got: true },
    ])
    const bLock = watch(
      (async () => {
        await b.query('BEGIN')
        const { rows } = await b.query('SELECT pg_try_advisory_xact_lock(42) AS got')
        await b.query(`UPDATE t SET v = v || '+b' WHERE id = 1`)
        await b.query('COMMIT')
        return rows
      })(),
    )
    await a.query(`UPDATE t SET v = v || '+a' WHERE id = 1`)
    for (let i = 0; i < 5; i++) await a.query('SELECT pg_sleep(0.02)')
    expect(bLock.done()).toBe(false)
    await a.query('COMMIT')
    // B got the lock only once A's transaction had released it, and updated the row A wrote.
    expect(await bLock.promise).toEqual([{ got: true }])
    expect((await a.query('SELECT v FROM t WHERE id = 1')).rows).toEqual([{ v: 'start+a+b' }])
  })

  it('refuses session-level advisory locks, which one shared session cannot make exclusive', async () => {
    await stage.process()
    const a = await client()
    await expect(a.query('SELECT pg_advisory_lock(7)')).rejects.toThrow(
      /session-level advisory locks cannot be shared.*pg_advisory_xact_lock/,
    )
    await expect(a.query('SELECT pg_try_advisory_lock($1)', [7])).rejects.toThrow(/session-level/)
    expect((await a.query('SELECT $1::int AS n', [3])).rows).toEqual([{ n: 3 }])
    // The refusal aborts a transaction it was part of, as a server's own error would.
    await a.query('BEGIN')
    await expect(a.query('SELECT pg_advisory_lock(7)')).rejects.toThrow(/session-level/)
    await expect(a.query('SELECT 1')).rejects.toThrow(/current transaction is aborted/)
    await a.query('ROLLBACK')
    await a.query('BEGIN')
    await expect(a.query('SELECT pg_advisory_unlock($1)', [7])).rejects.toThrow(/session-level/)
    await expect(a.query('SELECT $1::int', [1])).rejects.toThrow(/current transaction is aborted/)
    await a.query('ROLLBACK')
    expect((await a.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
  })

  it('delivers NOTIFY to listeners in other processes, at commit, once', async () => {
    const holder = await stage.process()
    const listener = await client()
    const heard: string[] = []
    listener.on('notification', (n) => heard.push(n.payload ?? ''))
    // Several at once, as graphile-worker sends them: each is answered.
    const listened = await listener.query('LISTEN fte_test; LISTEN "jobs:insert";')
    expect((listened as unknown as pg.QueryResult[]).map((r) => r.command)).toEqual([
      'LISTEN',
      'LISTEN',
    ])
    const writer = await client()
    await writer.query('BEGIN')
    await writer.query(`SELECT pg_notify('fte_test', 'from-a-client')`)
    await writer.query('ROLLBACK')
    await writer.query(`NOTIFY fte_test, 'after-rollback'`)
    holder.send('notify from-the-holder')
    await holder.line('heard from-the-holder')
    await holder.line('heard after-rollback')
    while (heard.length < 2) await new Promise((done) => setTimeout(done, 20))
    expect(heard).toEqual(['after-rollback', 'from-the-holder'])
    // The rolled-back notification reached nobody.
    await listener.query('UNLISTEN fte_test; UNLISTEN "jobs:insert"')
    holder.send('notify unheard')
    await holder.line('heard unheard')
    await listener.query('SELECT 1')
    expect(heard).toEqual(['after-rollback', 'from-the-holder'])
  })

  it("keeps one client's session state from another: settings, prepared statements, temporary tables, read-only pools", async () => {
    await stage.process()
    const a = await client()
    const b = await client({ options: '-c default_transaction_read_only=on' })
    const before = (await b.query('SHOW search_path')).rows
    await a.query('SET search_path TO nowhere, public')
    await a.query(`SELECT set_config('application_name', 'leaky', false)`)
    expect((await b.query('SHOW search_path')).rows).toEqual(before)
    // A's settings stay A's, across its turns and its transactions.
    expect((await a.query('SHOW search_path')).rows).toEqual([{ search_path: 'nowhere, public' }])
    await a.query('BEGIN')
    expect((await a.query('SHOW application_name')).rows).toEqual([{ application_name: 'leaky' }])
    await a.query('COMMIT')
    expect((await b.query('SHOW search_path')).rows).toEqual(before)
    expect((await b.query('SHOW application_name')).rows).not.toEqual([
      { application_name: 'leaky' },
    ])
    // The same statement name prepared by two clients for different statements.
    expect(
      (await a.query({ name: 'same', text: 'SELECT $1::int + 1 AS n', values: [1] })).rows,
    ).toEqual([{ n: 2 }])
    expect(
      (await b.query({ name: 'same', text: `SELECT $1::text || '!' AS n`, values: ['b'] })).rows,
    ).toEqual([{ n: 'b!' }])
    expect(
      (await a.query({ name: 'same', text: 'SELECT $1::int + 1 AS n', values: [5] })).rows,
    ).toEqual([{ n: 6 }])
    await a.query('CREATE TEMP TABLE scratch (x int)')
    await expect(b.query('SELECT * FROM scratch')).rejects.toThrow(/does not exist/)
    // B's start-up setting holds for B's turns and nobody else's.
    await expect(b.query(`INSERT INTO t VALUES (9, 'b')`)).rejects.toThrow(/read-only transaction/)
    await a.query(`INSERT INTO t VALUES (9, 'a')`)
    expect(await ids()).toEqual([9])
  })

  it('rolls back a transaction that holds the session too long, serves the others meanwhile, and says why', async () => {
    await stage.process({ turnLimitMs: 300 })
    const a = await client()
    await a.query('BEGIN')
    await a.query(`INSERT INTO t VALUES (1, 'never')`)
    const b = await client()
    // B waits its turn, which comes when A's has run out.
    await b.query(`INSERT INTO t VALUES (2, 'b')`)
    const why = /more than 0\.3 s and was rolled back: every other process waits/
    await expect(a.query(`INSERT INTO t VALUES (3, 'never')`)).rejects.toThrow(why)
    // A COMMIT fails too, so no caller takes the rollback for a commit; then A carries on.
    await expect(a.query('COMMIT')).rejects.toThrow(why)
    expect((await a.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
    expect(await ids()).toEqual([2])
    // Through the driver's transaction the same: the work fails with the reason, nothing lands.
    const db = await openEmbedded({ dataDir })
    try {
      await expect(
        db.transaction(async (tx) => {
          await tx.query(`INSERT INTO t VALUES (4, 'slow')`)
          await new Promise((done) => setTimeout(done, 600))
          await tx.query(`INSERT INTO t VALUES (5, 'slow')`)
        }),
      ).rejects.toThrow(why)
    } finally {
      await db.close()
    }
    expect(await ids()).toEqual([2])
  })

  it('gives a short command whose holder went away a clear error; its next run opens the folder itself', async () => {
    const holder = await stage.process()
    const db = await openEmbedded({ dataDir })
    expect(db.description).toContain('served by process')
    holder.kill()
    await holder.exited
    await expect(db.query('SELECT 1')).rejects.toThrow(
      /The process that served the embedded database .* has stopped\. Run the command again/,
    )
    await db.close()
    const again = await openEmbedded({ dataDir })
    try {
      expect(again.description).toBe(`embedded (${dataDir})`)
      expect((await again.query('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 0 }])
    } finally {
      await again.close()
    }
  })

  it('lets a long-running process take the folder over when its holder goes, and carry on', async () => {
    const holder = await stage.process()
    const notices: string[] = []
    const db = await openEmbedded({ dataDir, lasting: true, notice: (n) => notices.push(n) })
    const heard: string[] = []
    const gaps: number[] = []
    await db.listen('fte_test', { payload: (p) => heard.push(p), gap: () => gaps.push(1) })
    try {
      await db.query(`INSERT INTO t VALUES (1, 'before')`)
      holder.send('exit')
      await holder.exited
      // It noticed on its own (its idle connections were closed), or does at this call.
      await db.query(`INSERT INTO t VALUES (2, 'after')`)
      expect(db.description).toBe(`embedded (${dataDir})`)
      // This process holds it now.
      expect(readFileSync(join(dataDir, 'fte.lock'), 'utf8').split('\n')[0]).toBe(
        String(process.pid),
      )
      expect((await db.query('SELECT id FROM t ORDER BY id')).rows).toEqual([{ id: 1 }, { id: 2 }])
      expect(gaps).toEqual([1])
      await db.query(`SELECT pg_notify('fte_test', 'still heard')`)
      await new Promise((done) => setTimeout(done, 50))
      expect(heard).toEqual(['still heard'])
      expect(notices.join('\n')).toContain(
        `the process serving the embedded database went away; carrying on with embedded (${dataDir})`,
      )
    } finally {
      await db.close()
    }
  })

  it('lets two long-running processes carry on when their holder is killed: one takes the folder over, the other is served by it', async () => {
    const holder = await stage.process()
    const first = await stage.process({ lasting: true })
    const second = await stage.process({ lasting: true })
    holder.kill()
    await holder.exited
    // A statement under way as the holder died may fail, saying so (it may or may not have
    // committed: only its caller can tell whether to run it again); the next one is served.
    const insert = async (side: typeof first, id: number) => {
      const answer = await side.reply(`insert ${id}`)
      if (answer.startsWith('failed')) {
        expect(answer).toContain('has stopped')
        return side.reply(`insert ${id}`)
      }
      return answer
    }
    expect(await Promise.all([insert(first, 10), insert(second, 11)])).toEqual([
      'inserted 10',
      'inserted 11',
    ])
    const said = [await first.reply('describe'), await second.reply('describe')]
    const lockPid = Number(readFileSync(join(dataDir, 'fte.lock'), 'utf8').split('\n')[0])
    expect([first.pid, second.pid]).toContain(lockPid)
    // The one that took it over opened the folder; the other reaches it through the new holder.
    expect(said.sort()).toEqual([
      `is embedded (${dataDir})`,
      `is embedded (${dataDir}), served by process ${lockPid}`,
    ])
    expect(await stage.ids()).toEqual([10, 11])
  })
})
