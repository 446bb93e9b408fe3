// The evaluation benchmark's zero-latency models in a thread of their own, as bench/lib/model-thread.ts
// runs its own: reading requests and writing answers is not charged to the trials it serves. Either
// the reference model of the scenario files given (test/support/reference-model.ts) or the scripted
// demo model that plays the support pack's #4429 story (test/support/scripted-demo-model.ts).
import { isMainThread, workerData } from 'node:worker_threads'
import { loadScenarioFile } from '../../src/eval/scenario-file.ts'
import { referenceModel } from '../../test/support/reference-model.ts'
import { scriptedDemoModel } from '../../test/support/scripted-demo-model.ts'
import { serveFromThread, startServerThread } from './server-thread.ts'

export type EvalModel = { kind: 'reference'; files: readonly string[] } | { kind: 'demo' }

if (!isMainThread) {
  const which = workerData as EvalModel
  await serveFromThread(
    which.kind === 'demo'
      ? scriptedDemoModel()
      : referenceModel((await Promise.all(which.files.map((f) => loadScenarioFile(f)))).flat()),
  )
}

/** Starts the model's thread: its base URL, and `stop`. */
export function evalModelThread(which: EvalModel): Promise<{ url: string; stop(): Promise<void> }> {
  return startServerThread(new URL(import.meta.url), which)
}
