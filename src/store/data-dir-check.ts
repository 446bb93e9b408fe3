import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { SystemError } from '../lib/errors.ts'

/**
 * What can be told about an embedded data folder without opening it, so that damage is named
 * before PGlite meets it (a missing control file makes it abort, some damage makes it hang), and
 * damage PGlite would not notice at all (a table file cut short reads as a shorter table) is found.
 *
 * The second needs a record of the folder as it was: when the database closes cleanly the size of
 * every file is written down (`fte.closed`), and the next open compares them before PGlite starts.
 * Nothing touches a closed database's files, so any difference is damage. A folder whose last
 * process did not close cleanly has no record, and only the first checks apply.
 */

const RECORD = 'fte.closed'
/** There while the database is first created: still there, its creation was cut short. */
const CREATING = 'fte.creating'
/** Ours, not the database's: they come and go on their own. */
const OURS = /^(fte\.|\.s\.PGSQL\.|dev-issuer-key\.json$)/
/** Files the database itself removes and writes again as it starts: not in the record. */
const REWRITTEN = /(^|\/)(pg_internal\.init|postmaster\.[a-z]+)$|^pg_stat(_tmp)?\//

/** What only a database's folder holds. */
const DATABASE_ENTRIES = ['base', 'global', 'pg_wal', 'pg_xact', 'postgresql.conf']

export type FolderState =
  | { kind: 'absent' }
  /** No database yet (it is created on first open). */
  | { kind: 'empty' }
  | { kind: 'database' }
  | { kind: 'damaged'; problem: string }
  /**
   * Its first creation was cut short (the process killed as it created it): no process ever used
   * it, so nothing in it is anyone's data, and it is made again.
   */
  | { kind: 'unfinished' }

export function inspectDataDir(dataDir: string): FolderState {
  if (!existsSync(dataDir)) return { kind: 'absent' }
  if (existsSync(join(dataDir, CREATING))) return { kind: 'unfinished' }
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    // Other files are no database (and a new one is made among them); a database's own are.
    const partOfOne = DATABASE_ENTRIES.filter((name) => existsSync(join(dataDir, name)))
    return partOfOne.length === 0
      ? { kind: 'empty' }
      : { kind: 'damaged', problem: `PG_VERSION is missing, but ${partOfOne.join(', ')} are there` }
  }
  for (const required of ['global', 'base', 'pg_wal', 'global/pg_control']) {
    if (!existsSync(join(dataDir, required)))
      return { kind: 'damaged', problem: `${required} is missing` }
  }
  const changed = changedSinceClose(dataDir)
  return changed === undefined ? { kind: 'database' } : { kind: 'damaged', problem: changed }
}

/** The first file whose size differs from the record made at the last clean close. */
function changedSinceClose(dataDir: string): string | undefined {
  let record: Record<string, number>
  try {
    record = JSON.parse(readFileSync(join(dataDir, RECORD), 'utf8')).files
  } catch {
    return undefined
  }
  for (const [file, size] of Object.entries(record)) {
    let now: number
    try {
      now = statSync(join(dataDir, file)).size
    } catch {
      return `${file} is missing (it was there when the database last closed)`
    }
    if (now !== size) {
      return `${file} is ${now} bytes, but was ${size} when the database last closed`
    }
  }
  return undefined
}

/**
 * Marks the database as being created, and returns what ends that once it exists. A folder left
 * unfinished is cleared first of the database files an earlier attempt left (never fte's own).
 */
export function beginCreation(dataDir: string, unfinished: boolean): () => void {
  if (unfinished) clearUnfinished(dataDir)
  writeFileSync(join(dataDir, CREATING), '', { mode: 0o600 })
  return () => rmSync(join(dataDir, CREATING), { force: true })
}

/** Removes what a cut-short creation left (only ever in a folder `inspectDataDir` calls unfinished). */
export function clearUnfinished(dataDir: string): void {
  for (const name of readdirSync(dataDir)) {
    if (!OURS.test(name)) rmSync(join(dataDir, name), { recursive: true, force: true })
  }
  rmSync(join(dataDir, CREATING), { force: true })
}

/** Writes the record of a cleanly closed folder. */
export function recordClose(dataDir: string): void {
  const files: Record<string, number> = {}
  for (const entry of readdirSync(dataDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const path = relative(dataDir, join(entry.parentPath, entry.name))
    if (!OURS.test(path) && !REWRITTEN.test(path)) files[path] = statSync(join(dataDir, path)).size
  }
  writeFileSync(join(dataDir, RECORD), JSON.stringify({ files }), { mode: 0o600 })
}

/** Forgets the record before the database starts: from then on its files change. */
export function forgetClose(dataDir: string): void {
  rmSync(join(dataDir, RECORD), { force: true })
}

/** The folder looks damaged: says which check failed and what to do, and never touches it. */
export class DataDirDamagedError extends SystemError {
  constructor(dataDir: string, problem: string, options: { cause?: unknown } = {}) {
    super(
      'data_dir_damaged',
      `The embedded database in ${dataDir} looks damaged: ${problem}. Nothing in it was changed. ` +
        `To recover, restore your last backup into an empty folder (fte restore <file>, with ` +
        `FTE_DATA_DIR pointing at the new folder), or move this folder aside (mv ${dataDir} ` +
        `${dataDir}.damaged) and start fresh. It is never deleted for you.`,
      options,
    )
  }
}
