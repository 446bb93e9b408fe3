import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { lockDataDir } from './data-dir-lock.ts'
import { openPglite } from './pglite-database.ts'

describe('the embedded database', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fte-pglite-'))
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  it('refuses a data folder another live process holds, naming that process', async () => {
    await writeFile(join(dir, 'fte.lock'), String(process.ppid))
    expect(() => lockDataDir(dir)).toThrow(`in use by process ${process.ppid}`)
  })

  it('takes over a lock left by a process that is gone', async () => {
    await writeFile(join(dir, 'fte.lock'), '999999999')
    const unlock = lockDataDir(dir)
    expect(await readFile(join(dir, 'fte.lock'), 'utf8')).toBe(String(process.pid))
    unlock()
  })

  it('keeps its data in the folder across close and reopen', async () => {
    const snapshot = new Blob([await readFile(inject('pgliteEmptySnapshot'))])
    // Start from the snapshot, persist to the folder, then reopen from the folder alone.
    const first = await openPglite({ dataDir: join(dir, 'db'), loadDataDir: snapshot })
    await first.exec("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')")
    await first.close()
    const second = await openPglite({ dataDir: join(dir, 'db') })
    expect((await second.query('SELECT v FROM kept')).rows).toEqual([{ v: 'still here' }])
    await second.close()
  })

  it('rolls a failed transaction back and reports the rows of a query', async () => {
    const db = await openPglite({
      loadDataDir: new Blob([await readFile(inject('pgliteEmptySnapshot'))]),
    })
    await db.exec('CREATE TABLE t (v int)')
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES (1)')
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    await db.query('INSERT INTO t VALUES (2), (3)')
    expect(await db.query('SELECT v FROM t ORDER BY v')).toEqual({
      rows: [{ v: 2 }, { v: 3 }],
      rowCount: 2,
    })
    expect((await db.query('UPDATE t SET v = v + 1')).rowCount).toBe(2)
    await db.close()
  })
})
