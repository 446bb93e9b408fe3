import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { STOP } from '../src/eval/llm-simulator.ts'
import { loadScenarioFile } from '../src/eval/scenario-file.ts'
import { packageRoot } from '../src/lib/package-root.ts'
import { fteProcess } from './support/fte-subprocess.ts'
import { referenceModel } from './support/reference-model.ts'
import { reply, scriptedModel } from './support/scripted-model.ts'
import type { ScriptedOpenAiServer } from './support/scripted-openai-server.ts'

const SUITE = join(packageRoot(), 'domains', 'reading-room', 'evals', 'reading-room.yaml')

interface Report {
  mode: string
  model: string
  simulator: string
  passK: number[]
  threshold: { k: number; min: number; met: boolean } | null
  scenarios: Array<{ scenario: string; trials: number; successes: number; passK: number[] }>
  trials: Array<{
    passed: boolean
    ended: string
    turns: number
    inputTokens: number
    latencyMs: number
    simulatorTokens: number
    failures: string[]
    transcript: Array<{ role: string; text: string }>
  }>
}

describe('fte eval with a model (a scripted one, as CI runs it)', () => {
  let dir: string
  let model: ScriptedOpenAiServer
  let customer: ScriptedOpenAiServer

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fte-eval-'))
    model = await referenceModel(await loadScenarioFile(SUITE)).start()
    // A simulated customer whose goal is met at once: it ends every conversation.
    customer = await scriptedModel({ unscripted: reply({ text: STOP }) }).start()
  })
  afterAll(async () => {
    await model?.stop()
    await customer?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  const run = (args: string[], env: Record<string, string> = {}) =>
    fteProcess(['eval', ...args, '--out', 'reports'], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        FTE_DATA_DIR: join(dir, 'data'),
        LLM_PROVIDER: 'compatible',
        LLM_BASE_URL: model.url,
        LLM_MODEL: 'gpt-4o-mini',
        ...env,
      },
    })
  const latestReport = async (): Promise<Report> => {
    const files = (await readdir(join(dir, 'reports'))).filter((f) => f.endsWith('.json')).sort()
    const report = JSON.parse(await readFile(join(dir, 'reports', files.at(-1) as string), 'utf8'))
    await rm(join(dir, 'reports'), { recursive: true })
    return report
  }

  it('runs a shipped suite through the Worker: every trial passes, pass^k is 1 for every k, and it meets its threshold', async () => {
    const result = await run([
      SUITE,
      '--simulator',
      'scripted',
      '--trials',
      '2',
      '--concurrency',
      '2',
      '--threshold',
      '100%',
      '--k',
      '2',
    ])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/Threshold pass\^2 >= 1: met/)
    const report = await latestReport()
    expect(report).toMatchObject({
      mode: 'model',
      model: 'compatible/gpt-4o-mini',
      simulator: 'scripted',
      passK: [1, 1],
      threshold: { k: 2, min: 1, met: true },
    })
    expect(report.scenarios.length).toBeGreaterThanOrEqual(8)
    for (const scenario of report.scenarios) {
      expect(scenario).toMatchObject({ trials: 2, successes: 2, passK: [1, 1] })
    }
    for (const trial of report.trials) {
      expect(trial.turns).toBeGreaterThanOrEqual(1)
      expect(trial.inputTokens).toBeGreaterThan(0)
      expect(trial.latencyMs).toBeGreaterThan(0)
      expect(trial.transcript.map((l) => l.role)).toContain('worker')
    }
    // Reading tools were called by the Worker, not by the grader.
    expect(report.trials.flatMap((t) => t.transcript).some((l) => l.role === 'tool')).toBe(true)
  })

  it('exits 1 when the threshold is not met, and says which trial failed and why', async () => {
    const [first] = await loadScenarioFile(SUITE)
    if (first === undefined) throw new Error('the suite is empty')
    const { domain, suite, file: _file, ...scenario } = first
    const harder = {
      domain,
      suite,
      scenarios: [
        { ...scenario, expect: { ...scenario.expect, facts: ['/a fact no reply says/'] } },
      ],
    }
    await writeFile(join(dir, 'harder.yaml'), stringify(harder))
    const result = await run(['harder.yaml', '--simulator', 'scripted', '--threshold', '0.5'])
    expect(result.code, result.stderr).toBe(1)
    expect(result.stdout).toMatch(/NOT met/)
    expect(result.stdout).toContain('facts: the replies never said /a fact no reply says/')
    const report = await latestReport()
    expect(report.trials[0]?.failures).toEqual([
      'facts: the replies never said /a fact no reply says/',
    ])
  })

  it("passes the README's example scenario on its reference replay", async () => {
    const readme = await readFile(join(packageRoot(), 'README.md'), 'utf8')
    const section = readme.slice(readme.indexOf('### Write your own scenarios'))
    const example = /```yaml\n([\s\S]*?)```/.exec(section)?.[1]
    expect(example).toBeDefined()
    await writeFile(join(dir, 'my-suite.yaml'), example as string)
    const result = await run(['--reference', 'my-suite.yaml'])
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0)
    const report = await latestReport()
    expect(report.mode).toBe('reference')
    expect(report.trials.map((t) => t.passed)).toEqual([true])
  })

  it('lets an LLM play the customer, on a model of its own, until it says its goal is met', async () => {
    const [first] = await loadScenarioFile(SUITE)
    const result = await run([SUITE, '--scenario', first?.id as string], {
      EVAL_USER_PROVIDER: 'compatible',
      EVAL_USER_BASE_URL: customer.url,
      EVAL_USER_MODEL: 'customer-sim',
    })
    expect(result.code, result.stderr).toBe(0)
    const report = await latestReport()
    expect(report.simulator).toBe('llm:compatible/customer-sim')
    expect(report.trials[0]).toMatchObject({ passed: true, ended: 'done', turns: 1 })
    expect(report.trials[0]?.simulatorTokens).toBeGreaterThan(0)
    // It was asked as the customer: the persona and the goal in its instructions.
    const asked = JSON.stringify(customer.requests[0]?.body)
    expect(asked).toContain(first?.persona.slice(0, 40))
    expect(asked).toContain(first?.goal.slice(0, 40))
  })
})
