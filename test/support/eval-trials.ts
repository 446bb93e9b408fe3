import type { TrialResult } from '../../src/eval/eval-report.ts'
import type { RunMeta } from '../../src/eval/summarize.ts'

/** A finished, passing trial of `support/late-parcel`; `changes` say how this one differs. */
export function trial(changes: Partial<TrialResult> = {}): TrialResult {
  return {
    scenario: 'late-parcel',
    suite: 'support',
    trial: 1,
    passed: true,
    failures: [],
    ended: 'done',
    turns: 3,
    inputTokens: 1000,
    outputTokens: 200,
    costUsd: 0.01,
    latencyMs: 2000,
    setupMs: 50,
    simulatorTokens: 0,
    transcript: [
      { role: 'user', text: 'Where is my parcel?' },
      { role: 'worker', text: 'It left the depot this morning.' },
    ],
    ...changes,
  }
}

/** `n` trials of one scenario, the first `passed` of them passing. */
export function trialsOf(scenario: string, n: number, passed: number, suite = 'support') {
  return Array.from({ length: n }, (_, i) =>
    trial({
      scenario,
      suite,
      trial: i + 1,
      passed: i < passed,
      failures: i < passed ? [] : [`the replies do not say "${scenario}"`],
    }),
  )
}

/** A model run of two trials per scenario over `ids` (in suite `support`), no threshold. */
export function runMeta(ids: string[], changes: Partial<RunMeta> = {}): RunMeta {
  return {
    mode: 'model',
    startedAt: '2026-12-05T08:00:00.000Z',
    finishedAt: '2026-12-05T08:03:30.000Z',
    model: 'openai/gpt-test',
    simulator: 'scripted',
    database: 'embedded',
    trialsPerScenario: 2,
    concurrency: 1,
    interrupted: false,
    scenarios: ids.map((id) => ({ suite: 'support', id, title: `The ${id} story` })),
    ...changes,
  }
}
