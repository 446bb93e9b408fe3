import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseEnv } from 'node:util'

/**
 * The environment an entry point parses: `.env` in `cwd` when present, overridden by the process
 * environment (so a variable set in the shell always wins over the file).
 */
export function readEnvironment(
  cwd: string,
  processEnv: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  let fromFile: Record<string, string> = {}
  try {
    fromFile = parseEnv(readFileSync(join(cwd, '.env'), 'utf8')) as Record<string, string>
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  return { ...fromFile, ...processEnv }
}
