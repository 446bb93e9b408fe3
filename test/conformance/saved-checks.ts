import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'

/** Checks counted by the status the suite gave them. */
export interface Tally {
  scenarios: number
  passed: number
  failed: number
  /** A WARNING: a SHOULD not met. Under a baseline it counts as a failure. */
  warnings: number
  /** The ids of the checks skipped: not applicable at the revision run, or nothing to check. */
  skipped: string[]
}

/**
 * The checks a run of the suite saved under `dir` (its `-o`), one `server-<scenario>-<time>`
 * folder per scenario, counted for the scenarios `keep` accepts. Read from the suite's own
 * checks.json files, not its console text, which counts a WARNING as passed.
 */
export async function savedChecks(
  dir: string,
  keep: (scenario: string) => boolean,
): Promise<Tally> {
  const tally: Tally = { scenarios: 0, passed: 0, failed: 0, warnings: 0, skipped: [] }
  for (const folder of await readdir(dir)) {
    const scenario = /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(folder)?.[1]
    if (scenario === undefined || !keep(scenario)) continue
    tally.scenarios++
    const checks = JSON.parse(await readFile(join(dir, folder, 'checks.json'), 'utf8')) as {
      id: string
      status: string
    }[]
    for (const { id, status } of checks) {
      if (status === 'SUCCESS') tally.passed++
      else if (status === 'FAILURE') tally.failed++
      else if (status === 'WARNING') tally.warnings++
      else if (status === 'SKIPPED') tally.skipped.push(id)
    }
  }
  return tally
}
