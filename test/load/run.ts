// `npm run load`: the gateway under load, across two replicas, and through faults, on a real
// PostgreSQL of its own on loopback. Exit 0 when every invariant held, 1 when one broke, 2 when it
// could not run. Writes test-artifacts/load/latest.md and latest.json, and each process's log.
import { rmSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { supportPack } from '../../domains/support/index.ts'
import { devIssuer, issueDevToken } from '../../src/auth/dev-token.ts'
import { scopesFor } from '../../src/auth/scopes.ts'
import { packScopes } from '../../src/pack/domain-pack.ts'
import { openPostgres } from '../../src/store/postgres-database.ts'
import { freePort } from '../support/ports.ts'
import { scriptedModel } from '../support/scripted-model.ts'
import { FteProcess } from './fte-process.ts'
import { StatusCounter } from './load-client.ts'
import { startLoadPostgres, stopLoadPostgresNow } from './load-postgres.ts'
import type { LoadRun, PhaseResult } from './load-run.ts'
import { killPhase, postgresStopPhase } from './phase-faults.ts'
import { loadPhase, unloadedLatency } from './phase-load.ts'
import { providerPhase } from './phase-provider.ts'
import { replicaPhase } from './phase-replicas.ts'
import { insertFixture } from './workload.ts'

const HELP = `npm run load [-- options]

Runs, on loopback only, against a throwaway PostgreSQL 15 + pgvector cluster of its own (started on
--pg-port and removed after; needs bash .ci/install-postgres.sh), one development authorization
server and two fte serve replicas on that database:
  load       --sessions MCP sessions at once (official SDK client, streamable HTTP; half speak
             2025-11-25, half are pinned to 2026-07-28), each 20 calls: begin_session, then
             lookups, searches, notes and refunds (fresh and repeated idempotency keys),
             alternating replicas with the one session handle
  replicas   one person's rate limit and one idempotency key, shared by both replicas
  faults     kill -9 of a replica mid-refunds; Postgres stopped at once mid-writes; a model
             provider answering 429 and 503 through POST /api/chat
Then checks the store: every write a client was told about exists once, with its audit rows;
refunds = refund_issued rows = their invocations; no order refunded beyond its amount; no 5xx;
calls made in both protocol eras, counted per era in the report.

Options:
  --sessions N      concurrent MCP sessions in the load phase (default 50, even)
  --pg-port P       port of the suite's own PostgreSQL (default 54349)
  --time-limit S    give up (exit 1) after S seconds (default 600)
  -h, --help        this text
Results: test-artifacts/load/latest.md and latest.json; server logs beside them.`

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '50' },
    'pg-port': { type: 'string', default: '54349' },
    'time-limit': { type: 'string', default: '600' },
    help: { type: 'boolean', short: 'h' },
  },
})
if (values.help) {
  process.stdout.write(`${HELP}\n`)
  process.exit(0)
}
const sessions = Number(values.sessions)
const pgPort = Number(values['pg-port'])
const timeLimitS = Number(values['time-limit'])
if (!Number.isInteger(sessions) || sessions < 4 || sessions > 500 || sessions % 2 !== 0) {
  process.stderr.write('--sessions must be an even whole number from 4 to 500\n')
  process.exit(2)
}
if (!Number.isInteger(pgPort) || pgPort < 1024 || pgPort > 65_535) {
  process.stderr.write('--pg-port must be a port number from 1024 to 65535\n')
  process.exit(2)
}
if (!Number.isFinite(timeLimitS) || timeLimitS < 30) {
  process.stderr.write('--time-limit must be at least 30 seconds\n')
  process.exit(2)
}

const say = (line: string) => process.stderr.write(`${line}\n`)
const artifacts = new URL('../../test-artifacts/load/', import.meta.url).pathname
await mkdir(artifacts, { recursive: true })
const processes: FteProcess[] = []
let dataDir: string | undefined
const limit = setTimeout(() => {
  say(`load: gave up after ${timeLimitS} s (--time-limit); see the logs in ${artifacts}`)
  // Nothing is left running: the servers killed, the cluster stopped.
  for (const p of processes) p.killNow()
  stopLoadPostgresNow(pgPort)
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true })
  process.exit(1)
}, timeLimitS * 1000)
limit.unref()

say(`load: starting PostgreSQL 15 on 127.0.0.1:${pgPort}...`)
const pg = await startLoadPostgres(pgPort)
if (typeof pg === 'string') {
  say(`load: cannot run: ${pg}`)
  process.exit(2)
}
dataDir = await mkdtemp(join(tmpdir(), 'fte-load-'))
const model = await scriptedModel().start()
const maxRetries = 2
const results: PhaseResult[] = []
const started = performance.now()
let status = 0
try {
  const [devPort, portA, portB] = [await freePort(), await freePort(), await freePort()]
  const issuerUrl = `http://127.0.0.1:${devPort}`
  // Both replicas answer for one public address, as behind a load balancer: one token fits both.
  const publicUrl = `http://127.0.0.1:${portA}`
  const rate = { perMinute: 1200, burst: 100 }
  const shared = {
    DATABASE_URL: pg.url,
    FTE_DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    CLEANUP_INTERVAL_MINUTES: '0',
  }
  const dev = new FteProcess(
    'fte auth dev-server',
    ['auth', 'dev-server'],
    { ...shared, AUTH_DEV_PORT: String(devPort), PUBLIC_URL: publicUrl },
    join(artifacts, 'dev-server.log'),
    `${issuerUrl}/.well-known/openid-configuration`,
  )
  processes.push(dev)
  say('load: the development authorization server prepares the database and starts...')
  await dev.start()
  const replicaEnv = {
    ...shared,
    AUTH_ISSUER: issuerUrl,
    PUBLIC_URL: publicUrl,
    MCP_RATE_LIMIT: String(rate.perMinute),
    MCP_RATE_BURST: String(rate.burst),
    MCP_MAX_CONCURRENT_PER_IDENTITY: '32',
    LLM_PROVIDER: 'compatible',
    LLM_BASE_URL: model.url,
    LLM_MODEL: 'gpt-4o-mini',
    LLM_MAX_RETRIES: String(maxRetries),
  }
  const replicas = [portA, portB].map(
    (port, i) =>
      new FteProcess(
        `fte serve (replica ${i})`,
        ['serve', '--port', String(port)],
        replicaEnv,
        join(artifacts, `replica-${i}.log`),
        `http://127.0.0.1:${port}/healthz`,
      ),
  )
  processes.push(...replicas)
  say('load: starting two fte serve replicas at once...')
  await Promise.all(replicas.map((r) => r.start()))
  const db = await openPostgres({ url: pg.url, poolMax: 4 })
  const customers = sessions / 2
  await insertFixture(db, customers + 1)
  const issuer = await devIssuer(dataDir, issuerUrl)
  const token = (audience: string) => (sub: string) =>
    issueDevToken(issuer, {
      sub,
      role: 'customer',
      ttlSeconds: 3600,
      audience,
      scopes: scopesFor('customer', packScopes(supportPack)),
    })
  const t0 = performance.now()
  const run: LoadRun = {
    replicas,
    mcpUrls: [portA, portB].map((p) => `http://127.0.0.1:${p}/mcp`),
    baseUrls: [portA, portB].map((p) => `http://127.0.0.1:${p}`),
    pg,
    db,
    model,
    token: token(`${publicUrl}/mcp`),
    apiToken: token(publicUrl),
    statuses: new StatusCounter(),
    clock: () => performance.now() - t0,
    confirmed: { notes: [], refunds: [] },
    rate,
  }
  try {
    say('load: the anchor (one session alone)...')
    const anchor = await unloadedLatency(run, customers)
    const phases: Array<[string, () => Promise<PhaseResult>]> = [
      [`${sessions} sessions`, () => loadPhase(run, sessions, anchor)],
      ['shared state across replicas', () => replicaPhase(run)],
      ['kill -9 of a replica', () => killPhase(run, Math.min(20, customers))],
      ['Postgres stopped mid-load', () => postgresStopPhase(run, Math.min(20, customers))],
      ['model provider faults', () => providerPhase(run, maxRetries)],
    ]
    for (const [label, phase] of phases) {
      say(`load: ${label}...`)
      const result = await phase()
      results.push(result)
      say(
        `  ${result.violations.length === 0 ? 'held' : `BROKEN: ${result.violations.join('; ')}`}`,
      )
    }
  } finally {
    await db.close()
  }
} catch (error) {
  say(`load: could not finish: ${error instanceof Error ? error.stack : String(error)}`)
  status = 2
} finally {
  for (const p of processes.reverse()) await p.stop().catch(() => {})
  await model.stop()
  await pg.stop().catch(() => {})
  await rm(dataDir, { recursive: true, force: true })
}

const broken = results.flatMap((r) => r.violations.map((v) => `${r.name}: ${v}`))
if (status === 0 && broken.length > 0) status = 1
const lines = [
  '# digital-fte load, replicas and faults',
  '',
  `${new Date().toISOString()} · ${((performance.now() - started) / 1000).toFixed(0)} s · exit ${status}`,
  '',
  ...results.flatMap((r) => [
    `## ${r.name}: ${r.violations.length === 0 ? 'held' : 'BROKEN'}`,
    '',
    ...r.figures.map(([k, v]) => `- ${k}: ${v}`),
    ...r.violations.map((v) => `- **broken**: ${v}`),
    '',
  ]),
]
await writeFile(join(artifacts, 'latest.md'), `${lines.join('\n')}\n`)
await writeFile(join(artifacts, 'latest.json'), `${JSON.stringify({ status, results }, null, 2)}\n`)
process.stdout.write(`${lines.join('\n')}\n`)
say(`load: written to ${artifacts}latest.md`)
process.exit(status)
