// The evaluation benchmark's zero-latency models in a thread of their own, as bench/lib/model-thread.ts
// runs its own: reading requests and writing answers is not charged to the trials it serves. Either
// the reference model of the scenario files given (test/support/reference-model.ts) or the scripted
// demo model that plays the support pack's #4429 story (test/support/scripted-demo-model.ts).
import { parentPort, Worker, workerData } from 'node:worker_threads'
import { loadScenarioFile } from '../../src/eval/scenario-file.ts'
import { referenceModel } from '../../test/support/reference-model.ts'
import { scriptedDemoModel } from '../../test/support/scripted-demo-model.ts'

export type EvalModel = { kind: 'reference'; files: readonly string[] } | { kind: 'demo' }

if (parentPort !== null) {
  const port = parentPort
  const which = workerData as EvalModel
  const server =
    which.kind === 'demo'
      ? scriptedDemoModel()
      : referenceModel((await Promise.all(which.files.map((f) => loadScenarioFile(f)))).flat())
  await server.start()
  port.postMessage(server.url)
  port.once('message', async () => {
    await server.stop()
    port.close()
  })
}

/** Starts the model's thread: its base URL, and `stop`. */
export async function evalModelThread(
  which: EvalModel,
): Promise<{ url: string; stop(): Promise<void> }> {
  const thread = new Worker(new URL(import.meta.url), { workerData: which })
  const url = await new Promise<string>((resolve, reject) => {
    thread.once('message', resolve)
    thread.once('error', reject)
  })
  return {
    url,
    async stop() {
      const exited = new Promise((resolve) => thread.once('exit', resolve))
      thread.postMessage('stop')
      await exited
    },
  }
}
