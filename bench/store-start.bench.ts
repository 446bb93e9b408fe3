import { existsSync } from 'node:fs'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { median, timeProcess } from './lib/measure.ts'
import { type BenchOutcome, compare } from './lib/result.ts'

const PROBE = new URL('./probes/embedded-start.ts', import.meta.url).pathname
const NATIVE_INITDB = '/usr/lib/postgresql/15/bin/initdb'

/**
 * Embedded start-up, each run in a fresh process: cold (empty data folder: initdb, migrations,
 * demo data) against warm (the same folder again), warm against a bare `node` process, and
 * PGlite's initdb against native PostgreSQL's initdb when the machine has it.
 */
export async function benchStoreStart(report: (line: string) => void): Promise<BenchOutcome> {
  const out: BenchOutcome = { results: [], skipped: [] }
  const root = await mkdtemp(join(tmpdir(), 'fte-bench-start-'))
  // Native initdb refuses to run as root; as root it runs as the postgres user, who must write here.
  await chmod(root, 0o1777)
  const node = process.execPath
  try {
    const cold: number[] = []
    const warm: number[] = []
    const initOnly: number[] = []
    for (let run = 0; run < 3; run++) {
      const dir = join(root, `cold-${run}`)
      cold.push(await timeProcess(node, [PROBE, dir]))
      for (let w = 0; w < 2; w++) warm.push(await timeProcess(node, [PROBE, dir]))
      initOnly.push(await timeProcess(node, [PROBE, join(root, `init-${run}`), '--open-only']))
      report(`  start-up run ${run + 1}/3: cold ${Math.round(cold[run] ?? 0)} ms`)
    }
    const bare: number[] = []
    for (let run = 0; run < 5; run++) bare.push(await timeProcess(node, ['-e', '']))

    out.results.push(
      compare(
        'embedded cold start (empty data dir: initdb, migrate, demo data, embed the corpus)',
        'ms',
        median(cold),
        'embedded warm start (same data dir again)',
        median(warm),
        `median of ${cold.length} and ${warm.length} fresh processes`,
      ),
      compare(
        'embedded warm start (open, migrations a no-op, demo data present)',
        'ms',
        median(warm),
        'bare node process (node -e "")',
        median(bare),
        'includes node start-up and module loading',
      ),
    )

    if (existsSync(NATIVE_INITDB)) {
      const native: number[] = []
      for (let run = 0; run < 3; run++) native.push(await nativeInitdb(join(root, `native-${run}`)))
      out.results.push(
        compare(
          'PGlite open of an empty data dir (initdb)',
          'ms',
          median(initOnly),
          'native PostgreSQL 15 initdb',
          median(native),
        ),
      )
    } else {
      out.skipped.push({
        name: 'PGlite initdb vs native initdb',
        reason: `${NATIVE_INITDB} not found (run .ci/install-postgres.sh)`,
      })
    }
  } finally {
    await rm(root, { recursive: true, force: true })
  }
  return out
}

function nativeInitdb(dir: string): Promise<number> {
  const args = ['-D', dir, '-A', 'trust', '-U', 'postgres']
  return process.getuid?.() === 0
    ? timeProcess('runuser', ['-u', 'postgres', '--', NATIVE_INITDB, ...args])
    : timeProcess(NATIVE_INITDB, args)
}
