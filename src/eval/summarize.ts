import { InvalidInputError } from '../lib/errors.ts'
import type { EvalReport, ScenarioSummary, TrialResult } from './eval-report.ts'
import { passHatKs } from './pass-k.ts'

/** What the runner knows of the run besides its trials. */
export type RunMeta = Pick<
  EvalReport,
  | 'mode'
  | 'startedAt'
  | 'finishedAt'
  | 'model'
  | 'simulator'
  | 'database'
  | 'trialsPerScenario'
  | 'concurrency'
  | 'interrupted'
> & {
  /** Every scenario the run set out to try: the trials planned, and the titles the report shows. */
  scenarios: ReadonlyArray<{ suite: string; id: string; title: string }>
  /** The bar given on the command line: the run's pass^k must be at least `min` (0 to 1). */
  threshold?: { k: number; min: number } | null
}

/**
 * The report of a run: each scenario over its trials, in the order the trials first name them;
 * pass^k over the whole run; whether the threshold was met. A trial cut short by an interrupt is
 * kept with its transcript but counts for nothing: it says nothing of how the Worker does.
 */
export function summarize(trials: readonly TrialResult[], meta: RunMeta): EvalReport {
  const bar = meta.threshold ?? null
  if (bar !== null && !(Number.isInteger(bar.k) && bar.k >= 1 && bar.min >= 0 && bar.min <= 1)) {
    throw new InvalidInputError(
      `threshold pass^${bar.k} >= ${bar.min}: k must be a whole number from 1, min from 0 to 1`,
    )
  }
  const bySuiteAndId = new Map<string, [TrialResult, ...TrialResult[]]>()
  for (const trial of trials) {
    if (trial.ended === 'interrupted') continue
    const key = JSON.stringify([trial.suite, trial.scenario])
    const group = bySuiteAndId.get(key)
    if (group === undefined) bySuiteAndId.set(key, [trial])
    else group.push(trial)
  }
  const titleOf = (suite: string, id: string) =>
    meta.scenarios.find((s) => s.suite === suite && s.id === id)?.title ?? id
  const scenarios = [...bySuiteAndId.values()].map((group) => summarizeScenario(group, titleOf))
  const passK = runPassK(scenarios)
  return {
    mode: meta.mode,
    startedAt: meta.startedAt,
    finishedAt: meta.finishedAt,
    model: meta.model,
    simulator: meta.simulator,
    database: meta.database,
    trialsPerScenario: meta.trialsPerScenario,
    concurrency: meta.concurrency,
    interrupted: meta.interrupted,
    plannedTrials: meta.scenarios.length * meta.trialsPerScenario,
    finishedTrials: scenarios.reduce((n, s) => n + s.trials, 0),
    scenarios,
    passK,
    trials: [...trials],
    // A k beyond the trials run has no pass^k: the bar was not shown to be met.
    threshold: bar && { ...bar, met: (passK[bar.k - 1] ?? -1) >= bar.min },
  }
}

function summarizeScenario(
  trials: [TrialResult, ...TrialResult[]],
  titleOf: (suite: string, id: string) => string,
): ScenarioSummary {
  const [first] = trials
  const successes = trials.filter((t) => t.passed).length
  const costs = trials.map((t) => t.costUsd)
  return {
    scenario: first.scenario,
    title: titleOf(first.suite, first.scenario),
    suite: first.suite,
    trials: trials.length,
    successes,
    passK: passHatKs(successes, trials.length),
    meanTurns: mean(trials.map((t) => t.turns)),
    inputTokens: sum(trials.map((t) => t.inputTokens)),
    outputTokens: sum(trials.map((t) => t.outputTokens)),
    simulatorTokens: sum(trials.map((t) => t.simulatorTokens)),
    // A sum missing one trial's cost would read as the whole cost: unknown instead.
    costUsd: costs.some((c) => c === null) ? null : sum(costs as number[]),
    meanLatencyMs: mean(trials.map((t) => t.latencyMs)),
  }
}

/**
 * pass^k of the run: for each k, the mean over the scenarios that have at least k trials. Rounded
 * to 9 places, so a mean of exact fractions that floating point makes 0.5999… still meets 0.6.
 */
function runPassK(scenarios: ScenarioSummary[]): number[] {
  const most = Math.max(0, ...scenarios.map((s) => s.trials))
  return Array.from({ length: most }, (_, i) => {
    const p = mean(scenarios.filter((s) => s.trials > i).map((s) => s.passK[i] ?? 0))
    return Math.round(p * 1e9) / 1e9
  })
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0)
const mean = (values: number[]) => (values.length === 0 ? 0 : sum(values) / values.length)
