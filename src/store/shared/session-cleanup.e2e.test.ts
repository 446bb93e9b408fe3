import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  extendedQuery,
  protocolMessage,
  SharedStage,
} from '../../../test/support/embedded-holder.ts'

/**
 * What one client leaves unfinished or changed in the one shared session never reaches the next
 * client or the holder: the cases a driver does not make but a client can (a process killed half
 * way through a message sequence, a DO block, a temporary table in pg_temp).
 */
describe('the shared session after a client', () => {
  let stage: SharedStage

  beforeEach(async () => {
    stage = await SharedStage.create()
  })
  afterEach(() => stage.close())

  it('aborts an extended query left without Sync by a client that went away', async () => {
    const holder = await stage.process()
    const a = await stage.raw()
    a.send(extendedQuery(`INSERT INTO t VALUES (1, 'never synced')`))
    await a.until('C')
    a.socket.destroy()
    const b = await stage.client()
    await b.query(`INSERT INTO t VALUES (2, 'b')`)
    holder.send('insert 3')
    await holder.line('inserted 3')
    await b.end()
    // A's insert was never committed; B's and the holder's were, and stay.
    expect(await stage.ids()).toEqual([2, 3])
  })

  it('clears an error that waited for a Sync that never came', async () => {
    const holder = await stage.process()
    const a = await stage.raw()
    a.send(protocolMessage('P', '', 'SELECT nonsense FROM', Buffer.alloc(2)))
    await a.until('E')
    a.socket.destroy()
    const b = await stage.client()
    expect((await b.query(`INSERT INTO t VALUES (2, 'b') RETURNING id`)).rows).toEqual([{ id: 2 }])
    holder.send('insert 3')
    expect(await holder.line('inserted 3')).toBe('inserted 3')
    expect(await stage.ids()).toEqual([2, 3])
  })

  it('rolls back what came before a refused statement in the same extended query, as a server would', async () => {
    await stage.process()
    const a = await stage.raw()
    a.send(
      extendedQuery(`INSERT INTO t VALUES (5, 'before the refusal')`),
      protocolMessage('P', '', 'SELECT pg_advisory_lock(1)', Buffer.alloc(2)),
      protocolMessage('S'),
    )
    const answered = await a.until('Z')
    expect(answered).toContain('E')
    expect(await stage.ids()).toEqual([])
  })

  it('keeps changes made inside a DO block, a role, and pg_temp tables from other clients', async () => {
    await stage.process()
    const a = await stage.client()
    const b = await stage.client()
    const before = (await b.query('SHOW search_path')).rows
    await a.query(`DO $$BEGIN EXECUTE 'SET search_path TO ' || 'nowhere'; END$$`)
    expect((await b.query('SHOW search_path')).rows).toEqual(before)
    // A keeps its own.
    expect((await a.query('SHOW search_path')).rows).toEqual([{ search_path: 'nowhere' }])
    await expect(a.query('SET ROLE nobody')).rejects.toThrow(/SET ROLE .* not available/)
    await a.query('CREATE ROLE someone_else')
    await a.query(`DO $$BEGIN EXECUTE 'SET ' || 'ROLE someone_else'; END$$`)
    expect((await b.query('SELECT current_user AS who')).rows).not.toEqual([
      { who: 'someone_else' },
    ])
    // A temporary table lasts the turn that made it (here a transaction), and is nobody else's.
    await a.query('BEGIN')
    await a.query('CREATE TABLE pg_temp.secret (x text)')
    await a.query(`INSERT INTO pg_temp.secret VALUES ('only a')`)
    expect((await a.query('SELECT x FROM pg_temp.secret')).rows).toEqual([{ x: 'only a' }])
    await a.query('COMMIT')
    await expect(b.query('SELECT * FROM pg_temp.secret')).rejects.toThrow(/does not exist/)
  })

  it('refuses what would stop or end the one session, and goes on serving', async () => {
    const holder = await stage.process()
    const a = await stage.client()
    await expect(a.query('COPY t FROM STDIN')).rejects.toThrow(/COPY … FROM STDIN is not available/)
    await expect(a.query(`SET idle_in_transaction_session_timeout = 100`)).rejects.toThrow(
      /cannot be set on the shared embedded database/,
    )
    await expect(stage.client({ options: '-c idle_session_timeout=100' } as never)).rejects.toThrow(
      /idle_session_timeout cannot be set/,
    )
    holder.send('insert 1')
    expect(await holder.line('inserted 1')).toBe('inserted 1')
    expect((await a.query('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 1 }])
  })
})
