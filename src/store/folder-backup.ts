import {
  createReadStream,
  createWriteStream,
  existsSync,
  lstatSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs'
import { join } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { create, extract } from 'tar'
import { CallerError } from '../lib/errors.ts'
import { privateDir, tightenTree } from '../lib/private-dir.ts'
import { clearUnfinished, DataDirDamagedError, inspectDataDir } from './data-dir-check.ts'
import type { BackupResult } from './database.ts'

/** Bytes done of bytes in all, as the work goes. */
export type BackupProgress = (done: number, total: number) => void

/** What a data folder holds that is not the database's, and is never copied: lock, socket, record. */
const NOT_COPIED = /^(fte\.|\.s\.PGSQL\.)/

/**
 * Copies the embedded database's folder into a gzipped tar at `file`. The caller holds the session
 * and has run CHECKPOINT, so every page is on disk and nothing writes while the copy runs: the
 * copy is a consistent, cleanly shut-down image. It is written beside `file` first and renamed
 * into place, so a failed backup never leaves a file that looks like one.
 */
export async function writeBackup(
  dataDir: string,
  file: string,
  progress: BackupProgress = () => {},
): Promise<BackupResult> {
  const names = readdirSync(dataDir).filter((name) => !NOT_COPIED.test(name))
  const { total, files } = tally(dataDir, names)
  let done = 0
  const partial = `${file}.partial`
  try {
    await pipeline(
      create(
        {
          gzip: true,
          cwd: dataDir,
          portable: true,
          filter: (_path, stat) => {
            if ('isSocket' in stat && stat.isSocket()) return false
            if ('isFile' in stat && stat.isFile()) {
              done += stat.size
              progress(done, Math.max(done, total))
            }
            return true
          },
        },
        names,
      ),
      createWriteStream(partial, { mode: 0o600 }),
    )
    renameSync(partial, file)
  } catch (error) {
    rmSync(partial, { force: true })
    throw error
  }
  if (done !== total) progress(total, total)
  return { bytes: sizeOf(file), files }
}

/** The bytes and the number of the files under `names`. */
function tally(dataDir: string, names: string[]): { total: number; files: number } {
  let total = 0
  let files = 0
  const visit = (path: string) => {
    const stat = lstatSync(path)
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name))
    else if (stat.isFile()) {
      total += stat.size
      files++
    }
  }
  for (const name of names) visit(join(dataDir, name))
  return { total, files }
}

/**
 * Unpacks a backup into `dataDir`, which must be empty or absent: a restore never overwrites a
 * database. The folder is made private, as the database's own is.
 */
export async function restoreBackup(
  file: string,
  dataDir: string,
  progress: BackupProgress = () => {},
): Promise<{ files: number }> {
  if (!existsSync(file)) throw new CallerError('not_found', `There is no backup file ${file}`)
  const state = inspectDataDir(dataDir)
  if (state.kind === 'database' || state.kind === 'damaged') {
    throw new CallerError(
      'data_dir_not_empty',
      `A restore goes into an empty folder, and ${dataDir} holds a database. Point FTE_DATA_DIR ` +
        `at a new folder, or move this one aside (mv ${dataDir} ${dataDir}.old) first.`,
    )
  }
  privateDir(dataDir)
  if (state.kind === 'unfinished') clearUnfinished(dataDir)
  const total = sizeOf(file)
  let done = 0
  let files = 0
  await pipeline(
    createReadStream(file),
    new Transform({
      transform(chunk: Buffer, _encoding, next) {
        done += chunk.length
        progress(done, total)
        next(null, chunk)
      },
    }),
    extract({
      cwd: dataDir,
      strict: true,
      filter: (path) => !NOT_COPIED.test(path.replace(/^\.\//, '')),
      onReadEntry: (entry) => {
        if (entry.type === 'File') files++
      },
    }),
  ).catch((error: unknown) => {
    throw new CallerError(
      'invalid_backup',
      `${file} is not a backup this tool can read: ${(error as Error).message}`,
      { cause: error },
    )
  })
  await tightenTree(dataDir)
  const restored = inspectDataDir(dataDir)
  if (restored.kind !== 'database') {
    throw new DataDirDamagedError(
      dataDir,
      restored.kind === 'damaged'
        ? `the restored copy is incomplete: ${restored.problem}`
        : `${file} held no database`,
    )
  }
  return { files }
}

function sizeOf(file: string): number {
  return statSync(file).size
}
