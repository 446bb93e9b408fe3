import {
  closeSync,
  cpSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeSync,
} from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fteProcess as spawnFte } from '../../../test/support/fte-subprocess.ts'
import { type ServedFte, serveFte } from '../../../test/support/serve-fte.ts'
import { packageRoot } from '../../lib/package-root.ts'
import { readHolder } from '../../store/data-dir-lock.ts'
import { openEmbedded } from '../../store/embedded.ts'

/** `fte <args>` as a process of its own, with only PATH and `env` in its environment. */
function fteProcess(
  args: string[],
  env: Record<string, string>,
  options: { timeoutMs?: number } = {},
) {
  return spawnFte(args, {
    env: { PATH: process.env.PATH ?? '', ...env },
    cwd: packageRoot(),
    ...options,
  })
}

/**
 * Rows per table of the database in `dataDir`; not the written-to test table, and not which
 * processes were running jobs (a server says so while it runs, and takes it back as it stops).
 */
async function rowCounts(dataDir: string): Promise<Record<string, number>> {
  const db = await openEmbedded({ dataDir })
  try {
    const { rows: tables } = await db.query<{ name: string }>(
      `SELECT quote_ident(table_name) AS name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
          AND table_name NOT IN ('pairs', 'job_engines')
        ORDER BY table_name`,
    )
    const counts: Record<string, number> = {}
    for (const { name } of tables) {
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${name}`)
      counts[name] = rows[0]?.n ?? 0
    }
    return counts
  } finally {
    await db.close()
  }
}

/** The database's files under `dir` with their sizes (not fte's own): to show they were left as found. */
function listing(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((path) => statSync(join(dir, path)).isFile() && !path.startsWith('fte.'))
    .map((path) => `${path} ${statSync(join(dir, path)).size}`)
    .sort()
}

describe('backups of the embedded database, and a damaged data folder', () => {
  let dir: string
  let dataDir: string
  let server: ServedFte | undefined
  let atBackup: Record<string, number>
  /** Pairs written when the backup began, at the least. */
  let pairsBefore = 0
  const backup = () => join(dir, 'fte-backup.tar.gz')

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fte-backup-'))
    dataDir = join(dir, 'data')
    // The server runs (it created the database and its demo data); the backup is taken meanwhile
    // by another process, and the server makes the copy.
    server = await serveFte(dir, {})
    const seeded = await fteProcess(
      ['seed', join(packageRoot(), 'domains', 'support', 'demo', 'resolved-tickets.csv')],
      { FTE_DATA_DIR: dataDir },
    )
    expect(seeded.code, seeded.stderr).toBe(0)
    // Another process writes pairs of rows, a transaction a pair, while the backup is made.
    const writer = new pg.Client({ host: readHolder(dataDir)?.socketDir, port: 5432 })
    await writer.connect()
    await writer.query('CREATE TABLE pairs (id serial PRIMARY KEY, pair int NOT NULL)')
    let writing = true
    const writes = (async () => {
      for (let pair = 0; writing; pair++) {
        await writer.query('BEGIN')
        await writer.query('INSERT INTO pairs (pair) VALUES ($1)', [pair])
        await writer.query('INSERT INTO pairs (pair) VALUES ($1)', [pair])
        await writer.query('COMMIT')
        pairsBefore = pair + 1
      }
    })()
    while (pairsBefore < 3) await new Promise((done) => setTimeout(done, 20))
    const made = await fteProcess(['backup', backup()], { FTE_DATA_DIR: dataDir })
    writing = false
    await writes
    await writer.end()
    expect(made.code, made.stderr).toBe(0)
    expect(made.stdout).toMatch(
      /served by process \d+ to .*fte-backup\.tar\.gz: \d+ files, [\d.]+ (kB|MB)/,
    )
    expect(made.stderr).toContain('Backing up: ')
    // As private as the folder it copies.
    expect(statSync(backup()).mode & 0o777).toBe(0o600)
    await server.stop()
    atBackup = await rowCounts(dataDir)
  }, 180_000)

  afterAll(async () => {
    await server?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('holds every transaction of a process writing meanwhile whole, or not at all', async () => {
    const restoredDir = join(dir, 'while-writing')
    const restored = await fteProcess(['restore', backup()], { FTE_DATA_DIR: restoredDir })
    expect(restored.code, restored.stderr).toBe(0)
    const db = await openEmbedded({ dataDir: restoredDir })
    try {
      const { rows } = await db.query<{ pairs: number; split: number }>(
        `SELECT count(DISTINCT pair)::int AS pairs,
                (SELECT count(*)::int FROM (SELECT pair FROM pairs GROUP BY pair HAVING count(*) <> 2) s) AS split
           FROM pairs`,
      )
      expect(rows[0]?.split).toBe(0)
      expect(rows[0]?.pairs).toBeGreaterThanOrEqual(3)
    } finally {
      await db.close()
    }
  })

  it('refuses to overwrite a file, and says to use the server tools with DATABASE_URL', async () => {
    const again = await fteProcess(['backup', backup()], { FTE_DATA_DIR: dataDir })
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('exists already: choose another name, or pass --force')
    const postgres = await fteProcess(['restore', backup()], {
      DATABASE_URL: 'postgres://fte@127.0.0.1:1/fte',
    })
    expect(postgres.code).toBe(1)
    expect(postgres.stderr).toContain('back it up with its own tools, e.g. `pg_dump')
  })

  const damages: { name: string; damage: (copy: string) => void; says: RegExp }[] = [
    {
      name: 'a truncated table file',
      damage: (copy) => {
        const files = (readdirSync(join(copy, 'base'), { recursive: true }) as string[])
          .map((path) => join(copy, 'base', path))
          .filter((path) => statSync(path).isFile())
          .sort((a, b) => statSync(b).size - statSync(a).size)
        const largest = files[0] as string
        truncateSync(largest, Math.floor(statSync(largest).size / 2))
      },
      says: /base\/\d+\/\d+ is \d+ bytes, but was \d+ when the database last closed/,
    },
    {
      name: 'a missing control file',
      damage: (copy) => rmSync(join(copy, 'global', 'pg_control')),
      says: /global\/pg_control is missing/,
    },
    {
      name: 'garbage in a WAL segment',
      damage: (copy) => {
        const segment = readdirSync(join(copy, 'pg_wal')).find((name) =>
          /^[0-9A-F]{24}$/.test(name),
        )
        const fd = openSync(join(copy, 'pg_wal', segment as string), 'r+')
        writeSync(fd, Buffer.alloc(16_384, 0x5a), 0, 16_384, 0)
        closeSync(fd)
      },
      says: /the database could not start \(invalid magic number 5A5A in WAL segment .*could not locate a valid checkpoint record/,
    },
  ]

  for (const { name, damage, says } of damages) {
    it(`names ${name} and ends at once, exit 1, leaving the folder as it was; a restore brings every row back`, async () => {
      const copy = join(dir, name.replaceAll(' ', '-'))
      cpSync(dataDir, copy, { recursive: true })
      damage(copy)
      const before = listing(copy)
      for (const command of [['migrate', '--status'], ['doctor']]) {
        const run = await fteProcess(command, { FTE_DATA_DIR: copy }, { timeoutMs: 60_000 })
        expect(run.code, `${command.join(' ')}: ${run.stderr}`).toBe(1)
        const said = run.stderr + run.stdout
        expect(said).toContain(`The embedded database in ${copy} looks damaged: `)
        expect(said).toMatch(says)
        expect(said).toContain('restore your last backup into an empty folder (fte restore <file>')
        expect(said).toContain(`move this folder aside (mv ${copy} ${copy}.damaged)`)
      }
      expect(listing(copy)).toEqual(before)

      const restoredDir = join(dir, `${name.replaceAll(' ', '-')}-restored`)
      const restored = await fteProcess(['restore', backup()], { FTE_DATA_DIR: restoredDir })
      expect(restored.code, restored.stderr).toBe(0)
      expect(restored.stdout).toMatch(/the database opens, with 22 migrations applied/)
      expect(statSync(restoredDir).mode & 0o777).toBe(0o700)
      expect(statSync(join(restoredDir, 'PG_VERSION')).mode & 0o777).toBe(0o600)
      expect(await rowCounts(restoredDir)).toEqual(atBackup)
    }, 120_000)
  }
})
