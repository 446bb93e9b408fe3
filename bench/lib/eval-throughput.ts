import { createModel } from '../../src/agent/model-factory.ts'
import type { Runtime } from '../../src/app/runtime.ts'
import type { TrialResult } from '../../src/eval/eval-report.ts'
import { runEval } from '../../src/eval/run-eval.ts'
import type { LoadedScenario } from '../../src/eval/scenario.ts'
import { scriptedSimulator } from '../../src/eval/scripted-simulator.ts'
import { median } from './measure.ts'

/** One domain's part of a run: its runtime and its scenarios. */
export interface EvalSuite {
  runtime: Runtime
  scenarios: readonly LoadedScenario[]
}

export interface Throughput {
  perMinute: number
  trials: TrialResult[]
  /** Median of the trials' own setup time (their world opened), ms. */
  setupMs: number
}

/**
 * `runEval` in model mode with the scripted customer over every suite, `trials` per scenario,
 * `concurrency` at once: trials finished per minute of the time from the prepared databases to
 * the last trial's end (each domain prepares its own once; that is not counted).
 */
export async function trialsPerMinute(
  suites: readonly EvalSuite[],
  trials: number,
  concurrency: number,
): Promise<Throughput> {
  const finished: TrialResult[] = []
  let wall = 0
  for (const { runtime, scenarios } of suites) {
    let began = 0
    let last = 0
    await runEval(runtime, {
      scenarios,
      trials,
      concurrency,
      mode: {
        kind: 'model',
        model: createModel(runtime.config.llm),
        simulatorName: 'scripted',
        simulator: (scenario) => scriptedSimulator(scenario),
      },
      signal: new AbortController().signal,
      onPrepared: () => {
        began = performance.now()
      },
      onTrial: (trial) => {
        last = performance.now()
        finished.push(trial)
      },
    })
    wall += last - began
  }
  return {
    perMinute: finished.length / (wall / 60_000),
    trials: finished,
    setupMs: median(finished.map((t) => t.setupMs)),
  }
}

/** The share of trials that passed, and each failed trial with its first failure. */
export function passRate(trials: readonly TrialResult[]): { rate: number; failed: string[] } {
  const failed = trials
    .filter((t) => !t.passed)
    .map((t) => `${t.suite}/${t.scenario}#${t.trial}: ${t.failures[0] ?? t.ended}`)
  return { rate: (trials.length - failed.length) / trials.length, failed }
}
