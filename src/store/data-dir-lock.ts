import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { FteError } from '../lib/errors.ts'

const LOCK_FILE = 'fte.lock'

/**
 * PGlite is a single-process database: two processes opening one data folder corrupt it. The lock
 * file holds the owner's pid; a lock whose process is gone is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true })
  const file = join(dataDir, LOCK_FILE)
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' })
      return () => rmSync(file, { force: true })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new FteError(
          'data_dir_unusable',
          `Cannot use the embedded database folder ${dataDir}: ${(error as Error).message}`,
          { fault: 'caller', cause: error },
        )
      }
      const owner = Number.parseInt(readFileSync(file, 'utf8'), 10)
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
        throw new FteError(
          'data_dir_in_use',
          `The embedded database in ${dataDir} is in use by process ${owner}. Stop that process ` +
            '(for example a running `fte serve`), or point FTE_DATA_DIR or DATABASE_URL elsewhere.',
          { fault: 'caller' },
        )
      }
      rmSync(file, { force: true })
    }
  }
  throw new FteError('data_dir_in_use', `Cannot take the lock on ${dataDir}`, { fault: 'caller' })
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
