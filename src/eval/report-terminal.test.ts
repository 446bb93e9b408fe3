import { describe, expect, it } from 'vitest'
import { runMeta, trial, trialsOf } from '../../test/support/eval-trials.ts'
import { renderTerminalReport } from './report-terminal.ts'
import { summarize } from './summarize.ts'

describe('the terminal report', () => {
  it('has a row per scenario, the run’s pass^k for every k, and the threshold', () => {
    const trials = [...trialsOf('late-parcel', 4, 3), ...trialsOf('address-change', 4, 4)]
    const meta = runMeta(['late-parcel', 'address-change'], {
      trialsPerScenario: 4,
      threshold: { k: 2, min: 0.8 },
    })
    const lines = renderTerminalReport(summarize(trials, meta)).split('\n')
    expect(lines[0]).toBe(
      'Evaluation of openai/gpt-test (simulator scripted) on the embedded database, 4 trials per scenario.',
    )
    expect(lines[2]?.split(/\s+/)).toEqual([
      'SUITE',
      'SCENARIO',
      'S/N',
      'PASS^1',
      'PASS^N',
      'TURNS',
      'TOKENS',
      'COST',
      'LATENCY',
    ])
    expect(lines[3]?.split(/\s+/)).toEqual([
      'support',
      'late-parcel',
      '3/4',
      '75%',
      '0%',
      '3',
      '4.8K',
      '$0.04',
      '2.0',
      's',
    ])
    expect(lines[4]?.split(/\s+/).slice(0, 5)).toEqual([
      'support',
      'address-change',
      '4/4',
      '100%',
      '100%',
    ])
    expect(lines).toContain('All 2 scenarios:  pass^1 87%  pass^2 75%  pass^3 62%  pass^4 50%')
    expect(lines).toContain('Threshold pass^2 >= 0.8: NOT met (0.75).')
  })

  it('lists each failure of each failed trial on its own line, and a failed trial with none by how it ended', () => {
    const trials = [
      trial({ trial: 1 }),
      trial({
        trial: 2,
        passed: false,
        failures: ['no row: one credit of 12.00', 'never said "sorry"'],
      }),
      trial({ trial: 3, passed: false, failures: [], ended: 'max_turns' }),
    ]
    const text = renderTerminalReport(summarize(trials, runMeta(['late-parcel'])))
    const failures = text.slice(text.indexOf('Failures:')).split('\n')
    expect(failures.slice(0, 4)).toEqual([
      'Failures:',
      '  support/late-parcel trial 2: no row: one credit of 12.00',
      '  support/late-parcel trial 2: never said "sorry"',
      '  support/late-parcel trial 3: ended: max_turns',
    ])
  })

  it('keeps within 100 columns: a long id is cut short, a long failure wraps onto indented lines', () => {
    const id = 'a-scenario-whose-id-goes-on-and-on-well-past-what-a-terminal-row-can-hold'
    const reason = `fixture 1 failed: ${'word '.repeat(40)}the cause at the end`
    const trials = [trial({ scenario: id, passed: false, failures: [reason] })]
    const text = renderTerminalReport(summarize(trials, runMeta([id])))
    const lines = text.split('\n')
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(100)
    expect(lines[3]).toMatch(/^support +a-scenario-whose-id-goes-on-and-on.*… +0\/1/)
    const failure = lines.slice(lines.indexOf('Failures:') + 1).filter((l) => l !== '')
    expect(failure[0]).toMatch(/^ {2}support\/a-scenario-whose-id/)
    expect(failure.map((l) => l.trim()).join(' ')).toContain(': fixture 1 failed: word word')
    expect(failure.slice(1).every((l) => l.startsWith('      '))).toBe(true)
    expect(failure.at(-1)).toMatch(/the cause at the end$/)
  })

  it('wraps the pass^k of many trials onto indented lines', () => {
    const trials = trialsOf('long-run', 20, 19)
    const text = renderTerminalReport(summarize(trials, runMeta(['long-run'])))
    const start = text.indexOf('All 1 scenario:')
    const block = text.slice(start, text.indexOf('\n\n', start)).split('\n')
    expect(block.length).toBeGreaterThan(1)
    expect(block.slice(1).every((line) => line.startsWith('  pass^'))).toBe(true)
    expect(block.join(' ')).toContain('pass^20 0%')
  })

  it('says how much of an interrupted run finished', () => {
    const trials = [
      ...trialsOf('a', 2, 2),
      trial({ scenario: 'b', trial: 1, ended: 'interrupted', passed: false }),
    ]
    const meta = runMeta(['a', 'b', 'c'], { interrupted: true })
    const text = renderTerminalReport(summarize(trials, meta))
    expect(text.trimEnd().split('\n').at(-1)).toBe('Interrupted: 2 of 6 trials finished.')
    // The cut trial is no failure.
    expect(text).not.toContain('Failures:')
  })

  it('says so when nothing finished', () => {
    const text = renderTerminalReport(summarize([], runMeta(['a'], { interrupted: true })))
    expect(text).toContain('No trial finished.')
    expect(text).toContain('Interrupted: 0 of 2 trials finished.')
  })

  it('leaves out what a reference replay does not spend: turns, tokens, cost, latency', () => {
    const meta = runMeta(['a'], { mode: 'reference', model: null, simulator: null })
    const text = renderTerminalReport(summarize(trialsOf('a', 1, 1), meta))
    expect(text.split('\n')[0]).toBe(
      'Reference replay on the embedded database, 2 trials per scenario.',
    )
    expect(text.split('\n')[2]?.split(/\s+/)).toEqual([
      'SUITE',
      'SCENARIO',
      'S/N',
      'PASS^1',
      'PASS^N',
    ])
  })
})
