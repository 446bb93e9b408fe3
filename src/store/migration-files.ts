import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { MigrationError } from './migration-error.ts'

/** A folder of migrations owned by one part of the system: `core`, or a domain pack's name. */
export interface MigrationSource {
  name: string
  dir: string
}

export interface Migration {
  source: string
  version: number
  name: string
  /** `source/NNN_name.sql`, for messages. */
  id: string
  sql: string
  /** sha256 of the file with line endings normalised, so a CRLF checkout is not "changed". */
  checksum: string
}

const FILE_PATTERN = /^(\d{3})_([a-z0-9][a-z0-9_]*)\.sql$/

/** Reads every source's `NNN_name.sql` files, in source order, then version order. */
export async function loadMigrations(sources: readonly MigrationSource[]): Promise<Migration[]> {
  const all: Migration[] = []
  const seenSources = new Set<string>()
  for (const source of sources) {
    if (seenSources.has(source.name)) {
      throw new MigrationError(
        'migration_invalid',
        `Two migration sources are named ${source.name}`,
      )
    }
    seenSources.add(source.name)
    all.push(...(await loadSource(source)))
  }
  return all
}

async function loadSource(source: MigrationSource): Promise<Migration[]> {
  let files: string[]
  try {
    files = (await readdir(source.dir)).filter((file) => file.endsWith('.sql')).sort()
  } catch (error) {
    throw new MigrationError(
      'migration_invalid',
      `Cannot read the ${source.name} migrations folder ${source.dir}: ${(error as Error).message}`,
      { cause: error },
    )
  }
  const byVersion = new Map<number, string>()
  const migrations: Migration[] = []
  for (const file of files) {
    const match = FILE_PATTERN.exec(file)
    if (match === null) {
      throw new MigrationError(
        'migration_invalid',
        `${source.name}/${file}: migration files are named NNN_name.sql (three digits, lower-case name)`,
        { migration: `${source.name}/${file}` },
      )
    }
    const version = Number(match[1])
    const clash = byVersion.get(version)
    if (clash !== undefined) {
      throw new MigrationError(
        'migration_invalid',
        `${source.name}/${file} and ${source.name}/${clash} share version ${match[1]}`,
        { migration: `${source.name}/${file}` },
      )
    }
    byVersion.set(version, file)
    const sql = await readFile(join(source.dir, file), 'utf8')
    migrations.push({
      source: source.name,
      version,
      name: match[2] ?? '',
      id: `${source.name}/${file}`,
      sql,
      checksum: checksum(sql),
    })
  }
  return migrations
}

export function checksum(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex')
}
