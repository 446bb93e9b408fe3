// `npm run conformance`: the official MCP conformance suite (server mode) against /mcp, once per
// protocol revision the gateway serves: 2025-11-25 (initialize, the legacy wire) and 2026-07-28
// (server/discover and per-request _meta). Each revision runs the scenarios it requires (the
// suite's frozen `--requirements` set) against its own baseline, expected-failures-<revision>.yml,
// which lists, with the reason, the checks that need fixtures this gateway deliberately lacks; and
// the Agent Skills scenarios (SEP-2640), which the suite tags as an extension and never scores,
// run on their own and must pass in full. Any failure, or a baseline entry that starts passing,
// fails the run.
// The suite's client sends no Authorization header, so a small proxy in front of the real /mcp adds
// a development token for a demo customer and forwards every other header untouched (Host and
// Origin included, so the DNS-rebinding scenario meets the real checks). The gateway publishes the
// support pack's skills, as `fte serve` does.
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { loadDemoData } from '../../domains/support/demo/load-demo-data.ts'
import { supportPack } from '../../domains/support/index.ts'
import { createLogger } from '../../src/lib/logger.ts'
import { packageRoot } from '../../src/lib/package-root.ts'
import { migrationSources } from '../../src/pack/domain-pack.ts'
import { discoverSkills, skillsForDomain } from '../../src/skills/discover-skills.ts'
import { publishSkills } from '../../src/skills/publish-skills.ts'
import { loadMigrations } from '../../src/store/migration-files.ts'
import { migrate } from '../../src/store/migrator.ts'
import { openPglite } from '../../src/store/pglite-database.ts'
import { serveGatewayOverHttp } from '../support/gateway-http.ts'
import { MAYA } from '../support/support-scenario.ts'
import { savedChecks } from './saved-checks.ts'

const REVISIONS = ['2025-11-25', '2026-07-28'] as const
const SKILL_SCENARIOS = [
  'sep-2640-skills-enumeration',
  'sep-2640-skills-manifest',
  'sep-2640-skills-directory',
] as const
/**
 * The skills checks a revision may skip: cache fields exist from 2026-07-28 on. Any other skipped
 * check fails the run, since a server that does not declare the extension gets every check skipped.
 */
const NOT_APPLICABLE: Record<string, readonly string[]> = {
  '2025-11-25': ['sep-2640-skills-list-cache-attributes', 'sep-2640-skills-get-cache-attributes'],
}
const SUITE = join(packageRoot(), 'node_modules', '@modelcontextprotocol', 'conformance')

interface Run {
  ok: boolean
  /** What the summary says of it: its revision first. */
  lines: string[]
}

/** One invocation of the suite's CLI in server mode, its output passed through. */
function suite(args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [join(SUITE, 'dist', 'index.js'), 'server', ...args],
      { maxBuffer: 64 * 2 ** 20 },
      (error) => resolve(error === null),
    )
    child.stdout?.pipe(process.stdout)
    child.stderr?.pipe(process.stderr)
  })
}

const serverList = async (path: string) =>
  (parse(await readFile(path, 'utf8')) as { server: string[] }).server

/** The scenarios one revision requires, against that revision's baseline. */
async function required(url: string, revision: string, saved: string): Promise<Run> {
  const baseline = join('test', 'conformance', `expected-failures-${revision}.yml`)
  console.log(`\n##### ${revision}: the scenarios this revision requires (baseline ${baseline})`)
  const ok = await suite([
    '--url',
    url,
    '--requirements',
    revision,
    '--expected-failures',
    join(packageRoot(), baseline),
    '-o',
    saved,
  ])
  const scored = new Set(await serverList(join(SUITE, 'requirements', `${revision}.yaml`)))
  const mine = await savedChecks(saved, (scenario) => scored.has(scenario))
  const others = await savedChecks(saved, (scenario) => !scored.has(scenario))
  const expected = (await serverList(join(packageRoot(), baseline))).length
  return {
    ok,
    lines: [
      `${ok ? '✓' : '✗'} ${revision} required scenarios (${mine.scenarios}): ${mine.passed} checks ` +
        `passed, ${mine.failed} failed, ${mine.warnings} warned; ${expected} expected failures ` +
        `in ${baseline}`,
      `  ${revision} also run, never scored (extensions, pending): ${others.scenarios} scenarios, ` +
        `${others.passed} checks passed, ${others.failed} failed`,
    ],
  }
}

/** The skills scenarios at one revision's wire: `--force`, since extensions are not scored. */
async function skills(url: string, revision: string, saved: string): Promise<Run> {
  let exited = true
  for (const scenario of SKILL_SCENARIOS) {
    console.log(`\n##### ${revision}: ${scenario} (an extension: must pass in full)`)
    const args = ['--url', url, '--scenario', scenario, '--spec-version', revision, '--force']
    exited = (await suite([...args, '-o', saved])) && exited
  }
  const checks = await savedChecks(saved, () => true)
  const allowed = NOT_APPLICABLE[revision] ?? []
  const skipped = checks.skipped.filter((id) => !allowed.includes(id))
  const ok = exited && checks.failed + checks.warnings + skipped.length === 0
  return {
    ok,
    lines: [
      `${ok ? '✓' : '✗'} ${revision} Agent Skills (SEP-2640, ${checks.scenarios} scenarios): ` +
        `${checks.passed} checks passed, ${checks.failed} failed, ${checks.warnings} warned, ` +
        `${checks.skipped.length} skipped` +
        (skipped.length === 0 ? '' : ` (${skipped.length} that must run: ${skipped.join(', ')})`),
    ],
  }
}

const dir = await mkdtemp(join(tmpdir(), 'fte-conformance-'))
const db = await openPglite()
const logger = createLogger({ level: 'warn' })
const runs: Run[] = []
try {
  const migrated = await migrate(db, await loadMigrations(migrationSources(supportPack)))
  if (migrated.error) throw migrated.error
  await loadDemoData(db)
  if (supportPack.skillsDir === undefined) throw new Error('the support pack ships no skills')
  const library = await discoverSkills([{ dir: supportPack.skillsDir, level: 'pack' }])
  const catalog = await publishSkills(skillsForDomain(library, supportPack.name), (warning) =>
    logger.warn(`skill not published over MCP: ${warning.path}: ${warning.message}`),
  )
  const served = await serveGatewayOverHttp(db, dir, {
    pack: supportPack,
    person: MAYA.sub,
    logger,
    skills: catalog,
  })
  const token = await served.token()
  const target = new URL(served.resource)
  const proxy = createServer((incoming, outgoing) => {
    const forwarded = request(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, authorization: `Bearer ${token}` },
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(outgoing)
      },
    )
    forwarded.on('error', () => outgoing.destroy())
    incoming.pipe(forwarded)
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/mcp`
  for (const revision of REVISIONS) {
    runs.push(await required(url, revision, join(dir, revision, 'required')))
    runs.push(await skills(url, revision, join(dir, revision, 'skills')))
  }
  proxy.close()
  await served.close()
} finally {
  await db.close()
  await rm(dir, { recursive: true, force: true })
}
// What CI prints: from this line to the end.
console.log('\n##### MCP conformance, per protocol revision')
for (const run of runs) console.log(run.lines.join('\n'))
process.exit(runs.some((run) => !run.ok) ? 1 : 0)
