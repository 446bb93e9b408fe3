import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CallerError } from '../lib/errors.ts'
import { privateDir } from '../lib/private-dir.ts'

const LOCK_FILE = 'fte.lock'

/**
 * PGlite is a single-process database: two processes opening one data folder corrupt it. The lock
 * file holds the owner's pid; a lock whose process is gone is taken over. The folder is made
 * private first (0700, created so or tightened, with a word to `warn`): it holds the database and
 * its audit trail.
 */
export function lockDataDir(dataDir: string, warn?: (message: string) => void): () => void {
  let was: number | undefined
  try {
    was = privateDir(dataDir)
  } catch (error) {
    throw unusable(dataDir, error)
  }
  if (was !== undefined) {
    warn?.(
      `The embedded database folder ${dataDir} was open to other accounts (mode ${was.toString(8)}); ` +
        'it is now 700, and its files 600.',
    )
  }
  const file = join(dataDir, LOCK_FILE)
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 })
      return () => rmSync(file, { force: true })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw unusable(dataDir, error)
      const owner = Number.parseInt(readFileSync(file, 'utf8'), 10)
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
        throw new CallerError(
          'data_dir_in_use',
          `The embedded database in ${dataDir} is in use by process ${owner}. Stop that process ` +
            '(for example a running `fte serve`), or point FTE_DATA_DIR or DATABASE_URL elsewhere.',
        )
      }
      rmSync(file, { force: true })
    }
  }
  throw new CallerError('data_dir_in_use', `Cannot take the lock on ${dataDir}`)
}

function unusable(dataDir: string, cause: unknown): CallerError {
  return new CallerError(
    'data_dir_unusable',
    `Cannot use the embedded database folder ${dataDir}: ${(cause as Error).message}`,
    { cause },
  )
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
