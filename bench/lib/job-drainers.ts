import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'

const PROBE = new URL('../probes/job-drainer.ts', import.meta.url).pathname

/** A replica running jobs, in a process of its own (bench/probes/job-drainer.ts). */
export interface Drainer {
  stop(): Promise<void>
}

/** Starts a replica's job engine on the Postgres at `url`; resolves once it runs. */
export async function startDrainer(url: string, concurrency: number): Promise<Drainer> {
  const child: ChildProcess = spawn(process.execPath, [PROBE, url, String(concurrency)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const exited = once(child, 'exit')
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  await new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => {
      if (line === 'ready') resolve()
    })
    void exited.then(([code]) => reject(new Error(`a job drainer exited with ${code}`)))
  })
  return {
    async stop() {
      child.stdin?.end()
      await exited
    },
  }
}
