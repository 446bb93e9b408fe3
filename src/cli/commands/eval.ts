import { constants } from 'node:fs'
import { access, mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { createModel } from '../../agent/model-factory.ts'
import type { Runtime } from '../../app/runtime.ts'
import type { EvalReport, TrialResult } from '../../eval/eval-report.ts'
import { llmSimulator } from '../../eval/llm-simulator.ts'
import { renderTerminalReport } from '../../eval/report-terminal.ts'
import { type EvalMode, runEval } from '../../eval/run-eval.ts'
import { choose, loadScenarios, shippedSuite, withTags } from '../../eval/scenario-set.ts'
import { scriptedSimulator } from '../../eval/scripted-simulator.ts'
import { summarize } from '../../eval/summarize.ts'
import { dropLeftoverCopies } from '../../eval/trial-databases.ts'
import { writeReports } from '../../eval/write-reports.ts'
import { ConfigError, errorMessage, InvalidInputError } from '../../lib/errors.ts'
import { plural } from '../../lib/words.ts'
import { type CliContext, knownDomains, loadRuntime } from '../cli-context.ts'
import { createProgress } from '../progress.ts'

export interface EvalOptions {
  reference?: boolean
  /** Drop the copies runs that were killed left on the Postgres server, and do nothing else. */
  clean?: boolean
  /** The lowest pass^k (0 to 1) that exits 0; k is `k` (default 1). */
  threshold?: number
  k?: number
  /** The folder the JSON and HTML reports go to. */
  out: string
  simulator: 'llm' | 'scripted'
  /** The LLM customer's first message: the scenario's, or its own. */
  opening: 'scripted' | 'generated'
  userModel?: string
  trials: number
  concurrency: number
  scenario?: string[]
  tag?: string[]
}

/**
 * `fte eval`: every chosen scenario `--trials` times, each trial in a fresh copy of a prepared
 * database, graded; the table on stdout, the JSON and HTML reports in `--out`. Exit 1 when a
 * reference replay fails or the threshold is not met; 130 when stopped by Ctrl-C (what finished
 * is reported, and no copy is left behind).
 */
export async function evalCommand(
  context: CliContext,
  files: string[],
  options: EvalOptions,
): Promise<number> {
  checkOptions(options)
  const runtime = loadRuntime(context)
  if (options.clean === true) return clean(context, runtime)
  const given = files.length > 0
  const scenarios = await loadScenarios(given ? files : await shippedSuite(runtime.pack))
  for (const s of scenarios) {
    if (!knownDomains().includes(s.domain)) {
      throw new InvalidInputError(
        `${s.file}: domain: no domain pack named ${s.domain} (available: ${knownDomains().join(', ')})`,
      )
    }
  }
  const where = given ? 'the files given' : `the ${runtime.pack.name} suite`
  const chosen = withTags(choose(scenarios, options.scenario, where), options.tag)
  const threshold =
    options.threshold === undefined ? null : { k: options.k ?? 1, min: options.threshold }
  if (threshold !== null && threshold.k > options.trials) {
    throw new InvalidInputError(
      `--k ${threshold.k} needs at least ${threshold.k} trials per scenario (--trials ${options.trials}).`,
    )
  }
  // The reports' folder, made (and so proved writable) before anything is spent.
  const outDir = resolve(context.cwd, options.out)
  await mkdir(outDir, { recursive: true }).catch((error: unknown) => {
    throw new InvalidInputError(
      `--out ${options.out}: cannot make the folder (${errorMessage(error)})`,
    )
  })
  await access(outDir, constants.W_OK).catch(() => {
    throw new InvalidInputError(`--out ${options.out}: the folder is not writable`)
  })
  // Every domain's mode first: a missing model is said before anything is prepared.
  const groups = [...Map.groupBy(chosen, (s) => s.domain)].map(([domain, group]) => {
    const domainRuntime = quieter(context, runtimeFor(context, runtime, domain))
    return {
      domain,
      group,
      runtime: domainRuntime,
      mode: evalMode(domainRuntime, context, options),
    }
  })
  const signal = context.signal ?? new AbortController().signal
  const total = chosen.length * options.trials
  const startedAt = new Date()
  const progress = createProgress(context.stderr, 'eval', 'trials')
  const trials: TrialResult[] = []
  let done = 0
  let database: EvalReport['database'] = 'embedded'
  let interrupted = false
  try {
    progress.update(0, total)
    for (const { domain, group, runtime: domainRuntime, mode } of groups) {
      const run = await runEval(domainRuntime, {
        scenarios: group,
        trials: options.trials,
        concurrency: options.concurrency,
        mode,
        signal,
        onPrepared: (databases) => {
          database = databases.kind
          context.stderr.write(
            `eval: ${plural(group.length, `${domain} scenario`)} × ${options.trials}, each trial in a fresh copy of ` +
              `${databases.kind === 'postgres' ? `the Postgres database ${databases.name}` : 'a prepared embedded database'}\n`,
          )
        },
        onTrial: (trial) => {
          trials.push(trial)
          if (trial.ended !== 'interrupted') progress.update(++done, total)
        },
      })
      if (run.interrupted) {
        interrupted = true
        break
      }
    }
  } finally {
    progress.stop()
  }
  // The plan's order, whatever order the trials finished in.
  const order = (t: TrialResult) =>
    chosen.findIndex((s) => s.suite === t.suite && s.id === t.scenario)
  trials.sort((a, b) => order(a) - order(b) || a.trial - b.trial)
  const first = groups[0]?.mode
  const report = summarize(trials, {
    mode: options.reference === true ? 'reference' : 'model',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    model: first?.kind === 'model' ? `${first.model.provider}/${first.model.name}` : null,
    simulator: first?.kind === 'model' ? first.simulatorName : null,
    database,
    trialsPerScenario: options.trials,
    concurrency: options.concurrency,
    interrupted,
    scenarios: chosen.map((s) => ({ suite: s.suite, id: s.id, title: s.title })),
    threshold,
  })
  context.stdout.write(renderTerminalReport(report))
  const stamp = startedAt
    .toISOString()
    .replaceAll(':', '-')
    .replace(/\.\d+Z$/, 'Z')
  const base = join(outDir, `eval-${report.mode}-${stamp}`)
  await writeReports(report, { json: `${base}.json`, html: `${base}.html` })
  context.stderr.write(`eval: the report is in ${base}.html (and .json)\n`)
  if (interrupted) return 130
  const errored = trials.filter((t) => t.ended === 'error').length
  if (errored > 0) {
    context.stderr.write(
      `eval: ${plural(errored, 'trial')} ended in an error rather than an answer (see the failures): ` +
        "the figures are not the Worker's alone\n",
    )
    return 1
  }
  // Every reference must pass, whatever the threshold says.
  if (report.mode === 'reference' && trials.some((t) => !t.passed)) return 1
  return report.threshold === null || report.threshold.met ? 0 : 1
}

/** `fte eval --clean`: what killed runs left behind on Postgres, dropped. */
async function clean(context: CliContext, runtime: Runtime): Promise<number> {
  const url = runtime.config.database.url
  if (url === undefined) {
    context.stdout.write(
      'Nothing to clean: on the embedded database every copy lives in memory, and goes with its process.\n',
    )
    return 0
  }
  const dropped = await dropLeftoverCopies(url)
  context.stdout.write(
    dropped.length === 0
      ? 'No evaluation database was left behind.\n'
      : `Dropped ${plural(dropped.length, 'database')} earlier runs left behind: ${dropped.join(', ')}\n`,
  )
  return 0
}

/** Options that make no sense together, said before anything runs. */
function checkOptions(options: EvalOptions): void {
  if (options.k !== undefined && options.k !== 1 && options.threshold === undefined) {
    throw new InvalidInputError('--k is the k of --threshold: give --threshold too.')
  }
  if (options.opening === 'generated' && (options.simulator === 'scripted' || options.reference)) {
    throw new InvalidInputError(
      "--opening generated is the LLM customer's: it needs --simulator llm (and no --reference).",
    )
  }
  if (options.userModel !== undefined && (options.simulator === 'scripted' || options.reference)) {
    throw new InvalidInputError(
      "--user-model is the LLM customer's model: it needs --simulator llm (and no --reference).",
    )
  }
}

/**
 * No model for `--reference`; otherwise the Worker's (an error naming what to set when none is
 * configured), and the simulated customer: scripted, or an LLM (EVAL_USER_*, `--user-model`).
 */
function evalMode(runtime: Runtime, context: CliContext, options: EvalOptions): EvalMode {
  if (options.reference === true) return { kind: 'reference' }
  const model = withHint(() => createModel(runtime.config.llm))
  if (options.simulator === 'scripted') {
    return {
      kind: 'model',
      model,
      simulatorName: 'scripted',
      simulator: (scenario) => scriptedSimulator(scenario),
    }
  }
  const userModel = withHint(() =>
    createModel(
      options.userModel === undefined
        ? runtime.config.eval.userModel
        : loadRuntime({ ...context, env: { ...context.env, EVAL_USER_MODEL: options.userModel } })
            .config.eval.userModel,
    ),
  )
  return {
    kind: 'model',
    model,
    simulatorName: `llm:${userModel.provider}/${userModel.name}${options.opening === 'generated' ? ' (own opening)' : ''}`,
    simulator: (scenario) => llmSimulator(scenario, userModel, options.opening),
  }
}

/** A model that cannot be made: what to set, and that the scenarios can be checked without one. */
function withHint<T>(make: () => T): T {
  try {
    return make()
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    throw ConfigError.listing([
      ...error.problems,
      'or run `fte eval --reference` to check the scenarios themselves, with no model',
    ])
  }
}

/**
 * Trials fail as a matter of course, and each failure is in the report: the Worker's warnings
 * about them (and about turns Ctrl-C cut short) would only drown the progress bar. Errors still
 * show, and LOG_LEVEL, when set, decides.
 */
function quieter(context: CliContext, runtime: Runtime): Runtime {
  if (context.env.LOG_LEVEL !== undefined && context.env.LOG_LEVEL !== '') return runtime
  return { ...runtime, logger: runtime.logger.child({}, { level: 'error' }) }
}

/** The runtime with `domain`'s pack: a file of another pack's scenarios runs on that pack. */
function runtimeFor(context: CliContext, runtime: Runtime, domain: string): Runtime {
  if (domain === runtime.pack.name) return runtime
  return loadRuntime({ ...context, env: { ...context.env, FTE_DOMAIN: domain } })
}
