import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseEnv } from 'node:util'

export interface Environment {
  values: Record<string, string | undefined>
  /** The variables whose value came from `.env` (not overridden by the process environment). */
  fromFile: ReadonlySet<string>
}

/**
 * The environment an entry point parses: `.env` in `cwd` when present, overridden by the process
 * environment (so a variable set in the shell always wins over the file).
 */
export function readEnvironment(
  cwd: string,
  processEnv: Readonly<Record<string, string | undefined>>,
): Environment {
  let file: Record<string, string> = {}
  try {
    file = parseEnv(readFileSync(join(cwd, '.env'), 'utf8')) as Record<string, string>
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  return {
    values: { ...file, ...processEnv },
    fromFile: new Set(Object.keys(file).filter((name) => processEnv[name] === undefined)),
  }
}
