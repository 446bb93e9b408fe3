import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Runtime } from '../../app/runtime.ts'
import type { TrialResult } from '../../eval/eval-report.ts'
import { createModel } from '../../agent/model-factory.ts'
import { llmSimulator } from '../../eval/llm-simulator.ts'
import { type EvalMode, runEval } from '../../eval/run-eval.ts'
import { scriptedSimulator } from '../../eval/scripted-simulator.ts'
import type { LoadedScenario } from '../../eval/scenario.ts'
import { loadScenarioFile } from '../../eval/scenario-file.ts'
import { CallerError, errorMessage } from '../../lib/errors.ts'
import type { DomainPack } from '../../pack/domain-pack.ts'
import { type CliContext, loadRuntime } from '../cli-context.ts'
import { createProgress } from '../progress.ts'

export interface EvalOptions {
  reference?: boolean
  simulator: 'llm' | 'scripted'
  userModel?: string
  trials: number
  concurrency: number
  scenario?: string[]
  tag?: string[]
}

/** `fte eval`: the scenarios' trials, graded. */
export async function evalCommand(
  context: CliContext,
  files: string[],
  options: EvalOptions,
): Promise<number> {
  const runtime = loadRuntime(context)
  const scenarios = await loadScenarios(files.length > 0 ? files : await shippedSuite(runtime.pack))
  const chosen = withTags(choose(scenarios, options.scenario), options.tag)
  const signal = context.signal ?? new AbortController().signal
  const total = chosen.length * options.trials
  const progress = createProgress(context.stderr, 'eval', 'trials')
  const trials: TrialResult[] = []
  let interrupted = false
  try {
    progress.update(0, total)
    for (const [domain, group] of byDomain(chosen)) {
      const domainRuntime = runtimeFor(context, runtime, domain)
      const mode = evalMode(domainRuntime, context, options)
      const run = await runEval(domainRuntime, {
        scenarios: group,
        trials: options.trials,
        concurrency: options.concurrency,
        mode,
        signal,
        onPrepared: (databases) => {
          context.stderr.write(
            `eval: ${group.length} ${domain} scenarios × ${options.trials}, each trial in a fresh copy of ` +
              `${databases.kind === 'postgres' ? `the Postgres database ${databases.name}` : 'a prepared embedded database'}\n`,
          )
        },
        onTrial: (trial) => {
          trials.push(trial)
          progress.update(trials.length, total)
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
  const out = (line = '') => context.stdout.write(`${line}\n`)
  for (const trial of trials) {
    out(`${trial.passed ? 'pass' : 'FAIL'}  ${trial.suite}/${trial.scenario} #${trial.trial}`)
    for (const failure of trial.failures) out(`        ${failure}`)
  }
  if (interrupted) out(`interrupted: ${trials.length} of ${total} trials finished`)
  return interrupted ? 130 : trials.every((t) => t.passed) ? 0 : 1
}

/**
 * No model for `--reference`; otherwise the Worker's (an error naming what to set when none is
 * configured), and the simulated customer: scripted, or an LLM (EVAL_USER_*, `--user-model`).
 */
function evalMode(runtime: Runtime, context: CliContext, options: EvalOptions): EvalMode {
  if (options.reference === true) return { kind: 'reference' }
  const model = createModel(runtime.config.llm)
  if (options.simulator === 'scripted') {
    return { kind: 'model', model, simulator: (scenario) => scriptedSimulator(scenario) }
  }
  const userModel = createModel(
    options.userModel === undefined
      ? runtime.config.eval.userModel
      : loadRuntime({ ...context, env: { ...context.env, EVAL_USER_MODEL: options.userModel } })
          .config.eval.userModel,
  )
  return { kind: 'model', model, simulator: (scenario) => llmSimulator(scenario, userModel) }
}

/** The pack's shipped suite: every scenario file of its evals folder. */
async function shippedSuite(pack: DomainPack): Promise<string[]> {
  const dir = pack.evalsDir
  const names = dir === undefined ? [] : await readdir(dir).catch(() => [])
  const files = names.filter((n) => /\.(ya?ml|json)$/.test(n)).sort()
  if (dir === undefined || files.length === 0) {
    throw new CallerError(
      'no_scenarios',
      `The ${pack.name} domain ships no evaluation scenarios: name scenario files (fte eval <file…>).`,
    )
  }
  return files.map((n) => join(dir, n))
}

/** Every file's scenarios; every file's problems at once when any has some. */
async function loadScenarios(files: readonly string[]): Promise<LoadedScenario[]> {
  const loaded = await Promise.allSettled(files.map((file) => loadScenarioFile(file)))
  const problems = loaded.flatMap((r) => (r.status === 'rejected' ? [errorMessage(r.reason)] : []))
  if (problems.length > 0) throw new CallerError('invalid_scenario_file', problems.join('\n'))
  return loaded.flatMap((r) => (r.status === 'fulfilled' ? r.value : []))
}

function choose(scenarios: LoadedScenario[], ids: string[] | undefined): LoadedScenario[] {
  if (ids === undefined || ids.length === 0) return scenarios
  const unknown = ids.filter((id) => !scenarios.some((s) => s.id === id))
  if (unknown.length > 0) {
    throw new CallerError(
      'unknown_scenario',
      `No scenario ${unknown.join(', ')} in the files given (${scenarios.map((s) => s.id).join(', ')}).`,
    )
  }
  return scenarios.filter((s) => ids.includes(s.id))
}

function withTags(scenarios: LoadedScenario[], tags: string[] | undefined): LoadedScenario[] {
  if (tags === undefined || tags.length === 0) return scenarios
  const chosen = scenarios.filter((s) => s.tags.some((t) => tags.includes(t)))
  if (chosen.length === 0) {
    const known = [...new Set(scenarios.flatMap((s) => s.tags))].sort()
    throw new CallerError(
      'unknown_scenario',
      `No scenario is tagged ${tags.join(' or ')} (tags: ${known.join(', ') || 'none'}).`,
    )
  }
  return chosen
}

function byDomain(scenarios: readonly LoadedScenario[]): Map<string, LoadedScenario[]> {
  const groups = new Map<string, LoadedScenario[]>()
  for (const s of scenarios) groups.set(s.domain, [...(groups.get(s.domain) ?? []), s])
  return groups
}

/** The runtime with `domain`'s pack: a file of another pack's scenarios runs on that pack. */
function runtimeFor(context: CliContext, runtime: Runtime, domain: string): Runtime {
  if (domain === runtime.pack.name) return runtime
  return loadRuntime({ ...context, env: { ...context.env, FTE_DOMAIN: domain } })
}
