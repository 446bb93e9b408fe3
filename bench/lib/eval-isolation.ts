import type { Worker } from '../../src/agent/worker.ts'
import type { WorkerEvent } from '../../src/agent/worker-events.ts'
import { buildWorker } from '../../src/app/build-worker.ts'
import type { Runtime } from '../../src/app/runtime.ts'
import { loadSkillLibrary, publishedSkills } from '../../src/app/skill-library.ts'
import type { Identity } from '../../src/auth/identity.ts'
import { createEmbedder } from '../../src/embedding/create-embedder.ts'
import type { LoadedScenario } from '../../src/eval/scenario.ts'
import { prepareTrialDatabases, type TrialDatabases } from '../../src/eval/trial-databases.ts'
import { openTrialWorld, type TrialWorld } from '../../src/eval/trial-world.ts'
import { median } from './measure.ts'

export const REPEATS = { warmup: 3, count: 20 }

/** Runs `op` warmup + count times in sequence; the median of the counted runs, ms. */
async function medianMs(op: () => Promise<unknown>): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < REPEATS.warmup + REPEATS.count; i++) {
    const started = performance.now()
    await op()
    if (i >= REPEATS.warmup) times.push(performance.now() - started)
  }
  return median(times)
}

/** What isolating one trial costs, ms (medians), and the one-off preparation it copies. */
export interface Isolation {
  /** prepareTrialDatabases: once per run. */
  prepare: number
  /** openTrialWorld then its close: a trial's world from nothing, and gone. */
  whole: number
  open: number
  close: number
  /** A bare copy of the prepared database and its close, no fixtures and no gateway. */
  copy: number
}

/**
 * The isolation of `scenario`'s trials on the runtime's database, then `more` on a world of it
 * while the prepared databases are still there.
 */
export async function measureIsolation<T>(
  runtime: Runtime,
  scenario: LoadedScenario,
  more: (world: TrialWorld, databases: TrialDatabases) => Promise<T>,
): Promise<{ isolation: Isolation; more: T }> {
  const embedder = createEmbedder(runtime.config.embedding, runtime.pack.lexicon)
  const started = performance.now()
  const databases = await prepareTrialDatabases(runtime, embedder)
  const prepare = performance.now() - started
  try {
    const open: number[] = []
    const close: number[] = []
    const whole = await medianMs(async () => {
      let at = performance.now()
      const world = await openTrialWorld(runtime, databases, embedder, scenario)
      open.push(performance.now() - at)
      at = performance.now()
      await world.close()
      close.push(performance.now() - at)
    })
    const copy = await medianMs(async () => (await databases.copy()).close())
    const counted = (times: number[]) => median(times.slice(REPEATS.warmup))
    const isolation = { prepare, whole, open: counted(open), close: counted(close), copy }
    const world = await openTrialWorld(runtime, databases, embedder, scenario)
    try {
      return { isolation, more: await more(world, databases) }
    } finally {
      await world.close()
    }
  } finally {
    await databases.close()
  }
}

/** What building the Worker costs each trial of model mode (src/eval/model-trial.ts), ms. */
export interface WorkerBuild {
  build: number
  /** The skill library loaded as buildWorker loads it, and as buildGateway publishes it. */
  library: number
  published: number
}

export async function measureWorkerBuild(
  runtime: Runtime,
  world: TrialWorld,
  model: Parameters<typeof buildWorker>[3],
): Promise<WorkerBuild> {
  const build = await medianMs(async () => {
    const worker = await buildWorker(runtime, world.db, world.access, model, 'worker:bench')
    await worker.close()
  })
  const library = await medianMs(() => loadSkillLibrary(runtime))
  const published = await medianMs(() => publishedSkills(runtime))
  return { build, library, published }
}

/** One turn's work: the Worker's tool calls, the skills it activated, the approvals it asked for. */
export interface TurnShape {
  toolCalls: number
  skills: number
  approvals: number
}

/**
 * One turn of a conversation of its own, from the user's message to the Worker's last reply,
 * every approval it asks for given at once (the user's time deciding is not the Worker's, as in
 * model mode's conversations). Throws unless it completes with `expect` in its reply.
 */
async function turn(
  worker: Worker,
  user: Identity,
  message: string,
  expect: RegExp,
): Promise<TurnShape> {
  const shape = { toolCalls: 0, skills: 0, approvals: 0 }
  let events: AsyncGenerator<WorkerEvent> = worker.send({ message, identity: user })
  let reply = ''
  for (;;) {
    const asked: string[] = []
    let ended: string | undefined
    for await (const event of events) {
      if (event.type === 'approval_requested') asked.push(event.approvalId)
      else if (event.type === 'tool_call') shape.toolCalls++
      else if (event.type === 'skill_activated') shape.skills++
      else if (event.type === 'message') reply = event.text
      else if (event.type === 'turn_ended') ended = event.status
      else if (event.type === 'error') throw new Error(`the turn failed: ${event.message}`)
    }
    if (asked.length === 0) {
      if (ended !== 'completed' || !expect.test(reply)) {
        throw new Error(`a benchmark turn ended ${ended}: ${reply}`)
      }
      return shape
    }
    shape.approvals += asked.length
    events = (async function* () {
      for (const approvalId of asked) {
        yield* worker.decide({ approvalId, decision: 'approved', identity: user })
      }
    })()
  }
}

/**
 * The median turn (a new conversation each time) of the Worker built as model mode builds it,
 * and the last turn's shape.
 */
export async function measureTurn(
  runtime: Runtime,
  world: TrialWorld,
  model: Parameters<typeof buildWorker>[3],
  message: string,
  expect: RegExp,
): Promise<{ ms: number; shape: TurnShape }> {
  const worker = await buildWorker(runtime, world.db, world.access, model, 'worker:bench')
  let shape: TurnShape = { toolCalls: 0, skills: 0, approvals: 0 }
  try {
    const ms = await medianMs(async () => {
      shape = await turn(worker, world.user, message, expect)
    })
    return { ms, shape }
  } finally {
    await worker.close()
  }
}
