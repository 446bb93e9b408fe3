import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises'
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
    expect((await readFile(join(dir, 'fte.lock'), 'utf8')).trim()).toBe(String(process.pid))
    unlock()
  })

  /** The permission bits of everything under `root` that are not `0600` (files) or `0700` (folders). */
  async function notPrivate(root: string): Promise<string[]> {
    const loose: string[] = []
    for (const entry of await readdir(root, { recursive: true })) {
      const stats = await lstat(join(root, entry))
      const want = stats.isDirectory() ? 0o700 : 0o600
      if ((stats.mode & 0o777) !== want) loose.push(`${entry} ${(stats.mode & 0o777).toString(8)}`)
    }
    return loose
  }

  it('keeps a new data folder to its owner: the folder 0700, its folders 0700, its files 0600', async () => {
    const data = join(dir, 'fresh', 'db')
    const db = await openPglite({ dataDir: data })
    expect((await stat(data)).mode & 0o777).toBe(0o700)
    await db.exec("CREATE TABLE t (v text); INSERT INTO t VALUES ('x'); CHECKPOINT")
    const files = await readdir(data, { recursive: true })
    expect(files.length).toBeGreaterThan(100)
    expect(files).toContain('fte.lock')
    expect(await notPrivate(data)).toEqual([])
    await db.close()
    expect(await notPrivate(data)).toEqual([])
  })

  it('tightens an existing data folder that others could read, and says so', async () => {
    const data = join(dir, 'shared')
    await mkdir(data, { mode: 0o755 })
    await chmod(data, 0o755)
    await writeFile(join(data, 'left-behind'), 'x', { mode: 0o644 })
    const warnings: string[] = []
    const db = await openPglite({
      dataDir: data,
      loadDataDir: new Blob([await readFile(inject('pgliteSnapshots').empty)]),
      warn: (message) => warnings.push(message),
    })
    expect((await stat(data)).mode & 0o777).toBe(0o700)
    expect(await notPrivate(data)).toEqual([])
    expect(warnings).toEqual([
      `The embedded database folder ${data} was open to other accounts (mode 755); it is now 700, and its files 600.`,
    ])
    await db.close()
    // Private already: nothing more to say.
    await (await openPglite({ dataDir: data, warn: (message) => warnings.push(message) })).close()
    expect(warnings).toHaveLength(1)
  })

  it('calls a folder that does not open within the time limit damaged, naming the limit', async () => {
    const data = join(dir, 'slow')
    await (await openPglite({ dataDir: data })).close()
    await expect(openPglite({ dataDir: data, openTimeoutMs: 1 })).rejects.toThrow(
      `The embedded database in ${data} looks damaged: it did not open within 0.001 s.`,
    )
  })

  it('creates the database again in a folder whose first creation was cut short', async () => {
    const data = join(dir, 'cut-short')
    await (await openPglite({ dataDir: data })).close()
    // As a process killed while it created the folder leaves it: its marker, part of the files.
    await writeFile(join(data, 'fte.creating'), '')
    await rm(join(data, 'PG_VERSION'))
    await writeFile(join(data, 'dev-issuer-key.json'), '{}')
    const db = await openPglite({ dataDir: data })
    try {
      expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
    } finally {
      await db.close()
    }
    // fte's own files stay; the marker is gone once the database exists.
    expect(await readdir(data)).toContain('dev-issuer-key.json')
    expect(await readdir(data)).not.toContain('fte.creating')
  })

  it('keeps its data in the folder across close and reopen', async () => {
    const snapshot = new Blob([await readFile(inject('pgliteSnapshots').empty)])
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
      loadDataDir: new Blob([await readFile(inject('pgliteSnapshots').empty)]),
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
