import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { CallerError } from '../../lib/errors.ts'
import { connect } from '../../store/connect.ts'
import { DataDirDamagedError, inspectDataDir } from '../../store/data-dir-check.ts'
import { claimDataDir } from '../../store/data-dir-lock.ts'
import { restoreBackup } from '../../store/folder-backup.ts'
import { openPglite } from '../../store/pglite-database.ts'
import { type CliContext, loadRuntime } from '../cli-context.ts'
import { createProgress } from '../progress.ts'

/** What a Postgres server is backed up with: its own tools. */
const SERVER_TOOLS =
  'DATABASE_URL names a Postgres server: back it up with its own tools, e.g. ' +
  '`pg_dump --format=custom --file=fte.dump "$DATABASE_URL"` and `pg_restore --dbname="$DATABASE_URL" fte.dump`, ' +
  "or your provider's (a Neon branch or point-in-time restore). fte backup and fte restore are " +
  'for the embedded database (FTE_DATA_DIR).'

/**
 * `fte backup <file>`: a consistent copy of the embedded database, taken by the process that holds
 * it (a running server makes it when asked over its private channel, so it need not stop).
 */
export async function backupCommand(
  context: CliContext,
  target: string,
  options: { force?: boolean },
): Promise<void> {
  const runtime = loadRuntime(context)
  const { database } = runtime.config
  if (database.url !== undefined) throw new CallerError('use_server_tools', SERVER_TOOLS)
  const file = resolve(context.cwd, target)
  if (existsSync(file) && options.force !== true) {
    throw new CallerError(
      'file_exists',
      `${file} exists already: choose another name, or pass --force to replace it.`,
    )
  }
  const state = inspectDataDir(database.dataDir)
  if (state.kind === 'absent' || state.kind === 'empty' || state.kind === 'unfinished') {
    throw new CallerError(
      'nothing_to_back_up',
      `There is no database in ${database.dataDir} yet: nothing to back up.`,
    )
  }
  if (state.kind === 'damaged') throw new DataDirDamagedError(database.dataDir, state.problem)
  const db = await connect(database, runtime.logger)
  const progress = createProgress(context.stderr, 'Backing up', 'kB')
  try {
    if (db.backup === undefined) throw new Error('this database cannot be backed up here')
    const result = await db.backup(file, (done, total) =>
      progress.update(Math.ceil(done / 1024), Math.ceil(total / 1024)),
    )
    progress.stop()
    context.stdout.write(
      `Backed up ${db.description} to ${file}: ${result.files} files, ${megabytes(result.bytes)}.\n` +
        `Restore it with: fte restore ${target} (into an empty FTE_DATA_DIR)\n`,
    )
  } finally {
    progress.stop()
    await db.close()
  }
}

/**
 * `fte restore <file>`: a backup unpacked into an empty data folder (never over a database), then
 * opened once to prove it works.
 */
export async function restoreCommand(context: CliContext, source: string): Promise<void> {
  const runtime = loadRuntime(context)
  const { database } = runtime.config
  if (database.url !== undefined) throw new CallerError('use_server_tools', SERVER_TOOLS)
  const file = resolve(context.cwd, source)
  const claim = claimDataDir(database.dataDir)
  if (!claim.held) {
    throw new CallerError(
      'data_dir_in_use',
      `Process ${claim.pid} has ${database.dataDir} open: a restore goes into an empty folder ` +
        'nothing uses. Point FTE_DATA_DIR at a new folder.',
    )
  }
  const progress = createProgress(context.stderr, 'Restoring', 'kB')
  let restored: { files: number }
  try {
    restored = await restoreBackup(file, database.dataDir, (done, total) =>
      progress.update(Math.ceil(done / 1024), Math.ceil(total / 1024)),
    )
  } catch (error) {
    claim.release()
    throw error
  } finally {
    progress.stop()
  }
  const db = await openPglite({ dataDir: database.dataDir, claim })
  try {
    const { rows } = await db.query<{ migrations: number }>(
      `SELECT count(*)::int AS migrations FROM fte_migrations`,
    )
    context.stdout.write(
      `Restored ${file} into ${database.dataDir}: ${restored.files} files; the database opens, ` +
        `with ${rows[0]?.migrations ?? 0} migrations applied.\n`,
    )
  } finally {
    await db.close()
  }
}

function megabytes(bytes: number): string {
  return bytes < 1024 * 1024
    ? `${(bytes / 1024).toFixed(0)} kB`
    : `${(bytes / 1024 / 1024).toFixed(1)} MB`
}
