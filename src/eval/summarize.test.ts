import { describe, expect, it } from 'vitest'
import { runMeta, trial, trialsOf } from '../../test/support/eval-trials.ts'
import { InvalidInputError } from '../lib/errors.ts'
import { summarize } from './summarize.ts'

describe('summarize', () => {
  it('sums up each scenario, in the order its trials first appear, titled from the plan', () => {
    const trials = [
      trial({ scenario: 'b', trial: 1, turns: 2, latencyMs: 1000, costUsd: 0.02 }),
      trial({ scenario: 'a', trial: 1, passed: false, failures: ['wrong'], turns: 5 }),
      trial({
        scenario: 'b',
        trial: 2,
        turns: 4,
        latencyMs: 3000,
        inputTokens: 500,
        costUsd: 0.03,
      }),
      trial({ scenario: 'a', trial: 2 }),
    ]
    const report = summarize(trials, runMeta(['a', 'b']))
    expect(report.scenarios.map((s) => s.scenario)).toEqual(['b', 'a'])
    expect(report.scenarios[0]).toEqual({
      scenario: 'b',
      title: 'The b story',
      suite: 'support',
      trials: 2,
      successes: 2,
      passK: [1, 1],
      meanTurns: 3,
      inputTokens: 1500,
      outputTokens: 400,
      simulatorTokens: 0,
      costUsd: 0.05,
      meanLatencyMs: 2000,
    })
    expect(report.scenarios[1]).toMatchObject({ successes: 1, passK: [0.5, 0], meanTurns: 4 })
    expect(report.trials).toEqual(trials)
    expect(report).toMatchObject({ plannedTrials: 4, finishedTrials: 4, threshold: null })
  })

  it('keeps scenarios of the same id in different suites apart', () => {
    const trials = [...trialsOf('same', 2, 2, 'tasks'), ...trialsOf('same', 2, 0, 'support')]
    const report = summarize(trials, runMeta([]))
    expect(report.scenarios.map((s) => [s.suite, s.successes])).toEqual([
      ['tasks', 2],
      ['support', 0],
    ])
    // Not in the plan: titled by its id.
    expect(report.scenarios[0]?.title).toBe('same')
  })

  it('averages pass^k over the scenarios for each k', () => {
    const trials = [...trialsOf('a', 4, 3), ...trialsOf('b', 4, 4), ...trialsOf('c', 4, 1)]
    const { passK } = summarize(trials, runMeta(['a', 'b', 'c'], { trialsPerScenario: 4 }))
    expect(passK).toHaveLength(4)
    expect(passK[0]).toBeCloseTo((0.75 + 1 + 0.25) / 3, 9)
    expect(passK[1]).toBeCloseTo((0.5 + 1 + 0) / 3, 9)
    expect(passK[2]).toBeCloseTo((0.25 + 1 + 0) / 3, 9)
    expect(passK[3]).toBeCloseTo(1 / 3, 9)
  })

  it('meets a threshold the run reaches exactly, though floating point sums it just under', () => {
    // (0.7 + 0.1) / 2 is 0.39999999999999997 in floating point.
    const trials = [...trialsOf('a', 10, 7), ...trialsOf('b', 10, 1)]
    const meta = runMeta([], { trialsPerScenario: 10, threshold: { k: 1, min: 0.4 } })
    const report = summarize(trials, meta)
    expect(report.passK[0]).toBe(0.4)
    expect(report.threshold).toEqual({ k: 1, min: 0.4, met: true })
  })

  it('misses a threshold the run falls short of, and one whose k is beyond the trials run', () => {
    const trials = [...trialsOf('a', 2, 2), ...trialsOf('b', 2, 1)]
    const below = summarize(trials, runMeta(['a', 'b'], { threshold: { k: 2, min: 0.6 } }))
    expect(below.passK).toEqual([0.75, 0.5])
    expect(below.threshold).toEqual({ k: 2, min: 0.6, met: false })
    const beyond = summarize(trials, runMeta(['a', 'b'], { threshold: { k: 3, min: 0 } }))
    expect(beyond.threshold?.met).toBe(false)
  })

  it('refuses a threshold with a k below 1 or a minimum outside 0 … 1', () => {
    for (const threshold of [
      { k: 0, min: 0.5 },
      { k: 1.5, min: 0.5 },
      { k: 1, min: 1.2 },
    ]) {
      expect(() => summarize([], runMeta([], { threshold }))).toThrow(InvalidInputError)
    }
  })

  it('reports an interrupted run on what finished, each k over the scenarios that reached it', () => {
    const trials = [
      ...trialsOf('a', 3, 2),
      ...trialsOf('b', 1, 1),
      trial({ scenario: 'b', trial: 2, ended: 'interrupted', passed: false }),
      trial({ scenario: 'c', trial: 1, ended: 'interrupted', passed: false }),
    ]
    const meta = runMeta(['a', 'b', 'c'], { trialsPerScenario: 3, interrupted: true })
    const report = summarize(trials, meta)
    expect(report.scenarios.map((s) => [s.scenario, s.trials, s.successes])).toEqual([
      ['a', 3, 2],
      ['b', 1, 1],
    ])
    // k = 1 over a (2/3) and b (1); k = 2 and 3 over a alone.
    expect(report.passK[0]).toBeCloseTo((2 / 3 + 1) / 2, 9)
    expect(report.passK[1]).toBeCloseTo(1 / 3, 9)
    expect(report.passK[2]).toBe(0)
    expect(report).toMatchObject({ plannedTrials: 9, finishedTrials: 4, interrupted: true })
    // The cut trials stay, transcripts and all, for the page to show.
    expect(report.trials).toHaveLength(6)
  })

  it("leaves a scenario's cost unknown when one trial's price is, and sums it otherwise", () => {
    const trials = [
      trial({ scenario: 'priced', trial: 1, costUsd: 0.25 }),
      trial({ scenario: 'priced', trial: 2, costUsd: 0.5 }),
      trial({ scenario: 'unpriced', trial: 1, costUsd: 0.25 }),
      trial({ scenario: 'unpriced', trial: 2, costUsd: null }),
    ]
    const report = summarize(trials, runMeta(['priced', 'unpriced']))
    expect(report.scenarios.map((s) => s.costUsd)).toEqual([0.75, null])
  })

  it('reports a run in which nothing finished with no scenario and an empty pass^k', () => {
    const report = summarize([], runMeta(['a'], { interrupted: true }))
    expect(report).toMatchObject({ scenarios: [], passK: [], plannedTrials: 2, finishedTrials: 0 })
  })
})
