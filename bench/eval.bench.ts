import { createModel } from '../src/agent/model-factory.ts'
import { loadScenarioFile, parseScenarioFile } from '../src/eval/scenario-file.ts'
import { QUESTION } from '../test/support/support-scenario.ts'
import {
  type Isolation,
  measureIsolation,
  measureTurn,
  measureWorkerBuild,
  REPEATS,
  type TurnShape,
  type WorkerBuild,
} from './lib/eval-isolation.ts'
import { evalModelThread } from './lib/eval-model-thread.ts'
import { evalRuntime, shippedScenarioFiles } from './lib/eval-runtime.ts'
import { type EvalSuite, passRate, trialsPerMinute } from './lib/eval-throughput.ts'
import { postgresForBench } from './lib/postgres.ts'
import { type BenchOutcome, compare } from './lib/result.ts'

/** The domains whose shipped suites the throughput runs (each that has an evals folder). */
const SUITES = ['tasks', 'reading-room', 'support']
const TRIALS = 2

// The #4429 story as a trial of the support pack: Maya, no fixtures. Only its world is used here;
// the turn is the scripted demo model's (a skill, the lookup, similar cases, the refund, tickets,
// the escalation).
const [STORY] = parseScenarioFile(
  `
domain: support
scenarios:
  - id: story-4429
    title: The refund that has not arrived
    persona: Maya Okafor, a pro customer.
    goal: Know where her refund is.
    messages: [${JSON.stringify(QUESTION)}]
`,
  'story.yaml',
)
// One gateway serves every turn of the anchor: its per-user rate limit (per trial in fte eval) is off.
const UNLIMITED = { MCP_RATE_LIMIT: '0' }
const TURN_ANCHOR = 'one Worker turn of the #4429 story on the embedded database'

interface Turn {
  ms: number
  shape: TurnShape
}

// The demo model makes one call per request, then replies.
const turnNote = ({ shape }: Turn) =>
  `the turn: zero-latency scripted demo model, ${shape.toolCalls + shape.skills + 1} model calls, ` +
  `${shape.toolCalls} gateway tool calls, ${shape.skills} skill activated, ${shape.approvals} ` +
  'approvals given at once, in-process gateway, a new conversation each'

function isolationRows(where: string, isolation: Isolation, turn: Turn, own?: Turn) {
  return [
    compare(
      `isolation per trial on ${where}: openTrialWorld (copy, fixtures, gateway) and its close`,
      'ms',
      isolation.whole,
      TURN_ANCHOR,
      turn.ms,
      `median of ${REPEATS.count} (the story has no fixtures); open ${isolation.open.toFixed(0)} ms, ` +
        `close ${isolation.close.toFixed(0)} ms; a bare copy and its close ${isolation.copy.toFixed(0)} ms; ` +
        `${own === undefined ? '' : `the same turn on this database ${own.ms.toFixed(0)} ms; `}${turnNote(turn)}`,
    ),
    compare(
      `prepare the trial databases once per run on ${where} (prepareTrialDatabases: schema, demo data, index)`,
      'ms',
      isolation.prepare,
      `isolation per trial on ${where}`,
      isolation.whole,
      'one run; ratio: how many trials\u2019 isolation it is worth',
    ),
  ]
}

function buildRow(build: WorkerBuild, turn: Turn) {
  return compare(
    'build the Worker per trial (buildWorker, as model mode does each trial), support pack',
    'ms',
    build.build,
    TURN_ANCHOR,
    turn.ms,
    `median of ${REPEATS.count}; it loads the skill library each time (${build.library.toFixed(1)} ms), ` +
      `and openTrialWorld's gateway publishes it each time too (${build.published.toFixed(1)} ms)`,
  )
}

async function throughputRow(
  suites: readonly EvalSuite[],
  where: string,
  report: (line: string) => void,
) {
  const one = await trialsPerMinute(suites, TRIALS, 1)
  const four = await trialsPerMinute(suites, TRIALS, 4)
  const { rate, failed } = passRate([...one.trials, ...four.trials])
  const passed = `${(rate * 100).toFixed(0)}% passed${failed.length === 0 ? '' : ` (failed: ${failed.join('; ')})`}`
  report(
    `  ${where}: ${one.perMinute.toFixed(1)} trials/min at concurrency 1, ${four.perMinute.toFixed(1)} at 4; ` +
      `trial setup ${one.setupMs.toFixed(0)} ms at 1, ${four.setupMs.toFixed(0)} ms at 4; ${passed}`,
  )
  const scenarios = suites.map((s) => `${s.runtime.pack.name} ${s.scenarios.length}`).join(', ')
  return compare(
    `trials per minute at concurrency 4 on ${where} (model mode: reference model, scripted customer)`,
    'trials/min',
    four.perMinute,
    'the same trials at concurrency 1',
    one.perMinute,
    `${one.trials.length} trials each (${scenarios} scenarios × ${TRIALS}), from the prepared ` +
      `databases to the last trial's end; median trial setup ${one.setupMs.toFixed(0)} ms at 1, ` +
      `${four.setupMs.toFixed(0)} ms at 4; ${passed}`,
  )
}

/**
 * What `fte eval` costs beside the Worker it evaluates: isolating a trial (its database copied,
 * the fixtures added, the gateway built, and all discarded) on the embedded database and on
 * PostgreSQL, against one Worker turn; building the Worker each trial; and trials per minute of
 * the shipped suites at concurrency 1 and 4 with zero-latency models (each in a thread of its own).
 */
export async function benchEval(
  env: Readonly<Record<string, string | undefined>>,
  report: (line: string) => void,
): Promise<BenchOutcome> {
  const out: BenchOutcome = { results: [], skipped: [] }
  if (STORY === undefined) throw new Error('the #4429 story scenario did not parse')
  const shipped = await shippedScenarioFiles(SUITES)
  const demo = await evalModelThread({ kind: 'demo' })
  const reference = await evalModelThread({
    kind: 'reference',
    files: shipped.flatMap((s) => s.files),
  })
  try {
    const support = evalRuntime('support', demo.url, UNLIMITED)
    const model = createModel(support.config.llm)
    const embedded = await measureIsolation(support, STORY, async (world) => ({
      turn: await measureTurn(support, world, model, QUESTION, /#4429/),
      build: await measureWorkerBuild(support, world, model),
    }))
    const { turn, build } = embedded.more
    report(
      `  embedded database: prepare ${embedded.isolation.prepare.toFixed(0)} ms; isolation ` +
        `${embedded.isolation.whole.toFixed(1)} ms a trial; turn ${turn.ms.toFixed(1)} ms; ` +
        `buildWorker ${build.build.toFixed(1)} ms`,
    )
    out.results.push(
      ...isolationRows('the embedded database', embedded.isolation, turn),
      buildRow(build, turn),
    )

    const suites = await Promise.all(
      shipped.map(async ({ domain, files }) => ({
        runtime: evalRuntime(domain, reference.url),
        scenarios: (await Promise.all(files.map((file) => loadScenarioFile(file)))).flat(),
      })),
    )
    out.results.push(await throughputRow(suites, 'the embedded database', report))

    const server = await postgresForBench(env)
    if (typeof server === 'string') {
      out.skipped.push({ name: 'evaluations on PostgreSQL', reason: server })
      return out
    }
    try {
      const where = `PostgreSQL (${server.description})`
      const onPostgres = evalRuntime('support', demo.url, {
        ...UNLIMITED,
        DATABASE_URL: server.url,
      })
      const pg = await measureIsolation(onPostgres, STORY, (world) =>
        measureTurn(onPostgres, world, model, QUESTION, /#4429/),
      )
      report(
        `  ${where}: prepare ${pg.isolation.prepare.toFixed(0)} ms; isolation ` +
          `${pg.isolation.whole.toFixed(1)} ms a trial; turn ${pg.more.ms.toFixed(1)} ms`,
      )
      out.results.push(...isolationRows(where, pg.isolation, turn, pg.more))
      const onServer = suites.map((s) => ({
        ...s,
        runtime: evalRuntime(s.runtime.pack.name, reference.url, { DATABASE_URL: server.url }),
      }))
      out.results.push(await throughputRow(onServer, where, report))
    } finally {
      await server.release()
    }
    return out
  } finally {
    await reference.stop()
    await demo.stop()
  }
}
