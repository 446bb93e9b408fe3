// `npm run bench`: every benchmark, each figure beside an anchor measured in the same run.
// Writes bench/results/latest.md and latest.json (git-ignored) and prints the table.
import { mkdir, writeFile } from 'node:fs/promises'
import { arch, cpus, totalmem } from 'node:os'
import { benchAuditWriter } from './audit-writer.bench.ts'
import { benchChatApi } from './chat-api.bench.ts'
import { benchEval } from './eval.bench.ts'
import { benchJobs } from './jobs.bench.ts'
import type { BenchOutcome, BenchResult } from './lib/result.ts'
import { benchMcp } from './mcp.bench.ts'
import { benchSeed } from './seed.bench.ts'
import { benchSharedEmbedded } from './shared-embedded.bench.ts'
import { benchSkills } from './skills.bench.ts'
import { benchStoreStart } from './store-start.bench.ts'
import { benchTokenVerification } from './token-verify.bench.ts'
import { benchVectorSearch } from './vector-search.bench.ts'
import { benchWorker } from './worker.bench.ts'

const report = (line: string) => process.stderr.write(`${line}\n`)
const env = process.env

const suites: Array<[string, () => Promise<BenchOutcome>]> = [
  ['embedded database start-up', () => benchStoreStart(report)],
  ['audit writer throughput', () => benchAuditWriter(env, report)],
  ['seeding throughput', () => benchSeed(env, report)],
  ['vector search', () => benchVectorSearch(env, report)],
  ['MCP gateway', () => benchMcp(env, report)],
  ['embedded socket', () => benchSharedEmbedded(report)],
  ['token verification', () => benchTokenVerification(env, report)],
  ['agent skills', () => benchSkills(report)],
  ['worker turn', () => benchWorker(env, report)],
  ['chat API', () => benchChatApi(env, report)],
  ['jobs and email', () => benchJobs(env, report)],
  ['evaluations', () => benchEval(env, report)],
]

const results: BenchResult[] = []
const skipped: BenchOutcome['skipped'] = []
// BENCH_ONLY="vector,seeding" runs the suites whose names contain one of the words.
const only =
  env.BENCH_ONLY?.split(',')
    .map((w) => w.trim())
    .filter((w) => w !== '') ?? []
for (const [name, run] of suites) {
  if (only.length > 0 && !only.some((word) => name.includes(word))) continue
  report(`${name}...`)
  const outcome = await run()
  results.push(...outcome.results)
  skipped.push(...outcome.skipped)
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} (${arch()}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node.js ${process.versions.node}`
const when = new Date().toISOString()
const fmt = (value: number, unit: string) =>
  unit === 'ms' || unit === 'µs'
    ? `${value.toFixed(value < 10 ? 2 : 0)} ${unit}`
    : `${value.toFixed(0)} ${unit}`
const lines = [
  `# digital-fte benchmarks`,
  '',
  `${when} · ${machine}`,
  '',
  'ratio = figure / anchor, both measured in this run. For µs, ms and tokens lower is better; for ops/s, docs/s and trials/min higher is better.',
  '',
  '| benchmark | figure | anchor | anchor figure | ratio | notes |',
  '|---|---:|---|---:|---:|---|',
  ...results.map(
    (r) =>
      `| ${r.name} | ${fmt(r.value, r.unit)} | ${r.anchorName} | ${fmt(r.anchorValue, r.unit)} | ${r.ratio.toFixed(2)}× | ${r.notes ?? ''} |`,
  ),
  ...(skipped.length === 0
    ? []
    : ['', 'Skipped:', ...skipped.map((s) => `- ${s.name}: ${s.reason}`)]),
  '',
]
const dir = new URL('./results/', import.meta.url)
await mkdir(dir, { recursive: true })
await writeFile(new URL('latest.md', dir), lines.join('\n'))
await writeFile(
  new URL('latest.json', dir),
  `${JSON.stringify({ when, machine, results, skipped }, null, 2)}\n`,
)
process.stdout.write(`\n${lines.join('\n')}`)
report('written to bench/results/latest.md and latest.json')
