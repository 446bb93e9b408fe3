import type { WorkerModel } from '../agent/model-factory.ts'
import { approvalToolsOf } from '../app/build-worker.ts'
import type { Runtime } from '../app/runtime.ts'
import { createEmbedder } from '../embedding/create-embedder.ts'
import { errorMessage, InvalidInputError } from '../lib/errors.ts'
import type { TrialResult } from './eval-report.ts'
import { grade } from './grade.ts'
import { type Conversation, converse } from './model-trial.ts'
import { replayReference } from './reference-replay.ts'
import type { LoadedScenario } from './scenario.ts'
import { prepareTrialDatabases, type TrialDatabases } from './trial-databases.ts'
import { openTrialWorld } from './trial-world.ts'
import type { UserSimulator } from './user-simulator.ts'

export type EvalMode =
  | { kind: 'reference' }
  | {
      kind: 'model'
      model: WorkerModel
      /** `scripted`, or `llm:<provider>/<model>`, for the report. */
      simulatorName: string
      simulator: (scenario: LoadedScenario) => UserSimulator
    }

export interface RunEvalOptions {
  /** Scenarios of the runtime's domain pack. */
  scenarios: readonly LoadedScenario[]
  trials: number
  concurrency: number
  mode: EvalMode
  /**
   * Aborting it stops the run: no new trial starts, and running ones are cut short, kept as
   * `interrupted`, and counted for nothing.
   */
  signal: AbortSignal
  /** Told as the databases are ready, and as each trial ends. */
  onPrepared?: (databases: TrialDatabases) => void
  onTrial?: (trial: TrialResult) => void
}

export interface EvalRun {
  database: TrialDatabases['kind']
  /** The trials, in the order they ended (those Ctrl-C cut short marked `interrupted`). */
  trials: TrialResult[]
  interrupted: boolean
}

/**
 * Runs every scenario `trials` times, `concurrency` at once, each trial in a fresh copy of the
 * prepared database, and grades each. Whatever happens, every copy is gone when it returns.
 */
export async function runEval(runtime: Runtime, options: RunEvalOptions): Promise<EvalRun> {
  // A scenario that cannot be set up (a fixture that fails) stops the run: it is the scenario's
  // fault, the same in every trial, and says nothing of the Worker.
  const broken = new AbortController()
  const signal = AbortSignal.any([options.signal, broken.signal])
  let scenarioError: unknown
  const embedder = createEmbedder(runtime.config.embedding, runtime.pack.lexicon)
  const databases = await prepareTrialDatabases(runtime, embedder)
  const needsConsent = new Set(approvalToolsOf(runtime))
  const finished: TrialResult[] = []
  try {
    options.onPrepared?.(databases)
    const queue = options.scenarios.flatMap((scenario) =>
      Array.from({ length: options.trials }, (_, i) => ({ scenario, trial: i + 1 })),
    )
    const work = async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        if (signal.aborted) return
        try {
          const result = await runTrial(runtime, databases, embedder, next, {
            ...options,
            signal,
            needsConsent,
          })
          if (result === undefined) return
          finished.push(result)
          options.onTrial?.(result)
        } catch (error) {
          scenarioError ??= error
          broken.abort()
          return
        }
      }
    }
    const workers = Math.max(1, Math.min(options.concurrency, queue.length))
    await Promise.all(Array.from({ length: workers }, work))
  } finally {
    await databases.close()
  }
  if (scenarioError !== undefined) throw scenarioError
  return { database: databases.kind, trials: finished, interrupted: options.signal.aborted }
}

/** A conversation that never happened: a trial that failed to start, or the reference's. */
const NO_CONVERSATION: Conversation = {
  ended: 'done',
  turns: 0,
  inputTokens: 0,
  outputTokens: 0,
  costUsd: null,
  latencyMs: 0,
  transcript: [],
  replies: [],
  failures: [],
}

/** One trial, graded (`interrupted` when Ctrl-C cut it short); undefined when it never began. */
async function runTrial(
  runtime: Runtime,
  databases: TrialDatabases,
  embedder: ReturnType<typeof createEmbedder>,
  { scenario, trial }: { scenario: LoadedScenario; trial: number },
  options: RunEvalOptions & { needsConsent: ReadonlySet<string> },
): Promise<TrialResult | undefined> {
  const { signal, mode } = options
  const began = performance.now()
  let setupMs = 0
  let simulatorTokens = 0
  const result = (
    conversation: Conversation,
    outcome: Pick<TrialResult, 'passed' | 'failures' | 'ended'>,
  ): TrialResult => ({
    scenario: scenario.id,
    suite: scenario.suite,
    trial,
    ...outcome,
    turns: conversation.turns,
    inputTokens: conversation.inputTokens,
    outputTokens: conversation.outputTokens,
    costUsd: conversation.costUsd,
    latencyMs: Math.round(conversation.latencyMs),
    setupMs: Math.round(setupMs),
    simulatorTokens,
    transcript: conversation.transcript,
  })
  const failed = (why: string) =>
    result(NO_CONVERSATION, { passed: false, failures: [why], ended: 'error' })
  // A trial cut short by Ctrl-C: kept with what it said so far, and counted for nothing.
  const cut = (conversation = NO_CONVERSATION) =>
    result(conversation, { passed: false, failures: [], ended: 'interrupted' })

  let world: Awaited<ReturnType<typeof openTrialWorld>>
  try {
    world = await openTrialWorld(runtime, databases, embedder, scenario)
  } catch (error) {
    if (signal.aborted) return undefined
    if (error instanceof InvalidInputError) throw error
    return failed(`setup: ${errorMessage(error)}`)
  }
  setupMs = performance.now() - began
  try {
    let conversation: Conversation
    if (mode.kind === 'reference') {
      const replayed = await replayReference(world, scenario, options.needsConsent, signal)
      conversation = { ...NO_CONVERSATION, ...replayed }
    } else {
      const simulator = mode.simulator(scenario)
      conversation = await converse(runtime, world, scenario, mode.model, simulator, signal)
      simulatorTokens = simulator.usage.inputTokens + simulator.usage.outputTokens
    }
    if (signal.aborted) return cut(conversation)
    const failures = [
      ...conversation.failures,
      ...(await grade({
        db: world.db,
        scenario,
        replies: conversation.replies,
        start: world.start,
        actionClaims: runtime.pack.gateway?.actionClaims ?? [],
      })),
    ]
    return result(conversation, {
      passed: failures.length === 0,
      failures,
      ended: conversation.ended,
    })
  } catch (error) {
    return signal.aborted ? cut() : failed(`the trial failed: ${errorMessage(error)}`)
  } finally {
    await world.close()
  }
}
