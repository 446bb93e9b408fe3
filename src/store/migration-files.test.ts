import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { checksum, loadMigrations } from './migration-files.ts'

const made: string[] = []

async function folder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fte-mf-'))
  made.push(dir)
  for (const [name, sql] of Object.entries(files)) await writeFile(join(dir, name), sql)
  return dir
}

describe('loadMigrations', () => {
  afterEach(async () => {
    await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
  })

  it('orders each source by version and sources as given', async () => {
    const core = await folder({ '002_b.sql': 'b', '001_a.sql': 'a', 'README.md': 'not sql' })
    const pack = await folder({ '001_x.sql': 'x' })
    const ids = (
      await loadMigrations([
        { name: 'core', dir: core },
        { name: 'pack', dir: pack },
      ])
    ).map((m) => m.id)
    expect(ids).toEqual(['core/001_a.sql', 'core/002_b.sql', 'pack/001_x.sql'])
  })

  it('refuses a file that does not follow NNN_name.sql', async () => {
    const dir = await folder({ '1_init.sql': 'x' })
    await expect(loadMigrations([{ name: 'core', dir }])).rejects.toThrow(
      /core\/1_init.sql.*NNN_name.sql/,
    )
  })

  it('refuses two files with one version', async () => {
    const dir = await folder({ '001_a.sql': 'a', '001_b.sql': 'b' })
    await expect(loadMigrations([{ name: 'core', dir }])).rejects.toThrow(/share version 001/)
  })

  it('names the folder it cannot read', async () => {
    await expect(loadMigrations([{ name: 'core', dir: '/no/such/dir' }])).rejects.toThrow(
      /core migrations folder \/no\/such\/dir/,
    )
  })

  it('checksums ignore CRLF versus LF but not content', () => {
    expect(checksum('a\r\nb\r\n')).toBe(checksum('a\nb\n'))
    expect(checksum('a\nb\n')).not.toBe(checksum('a\nc\n'))
  })
})
