// A server in a thread of its own (a scripted model, say): its work is not charged to the code a
// benchmark measures, as a real model's is not. The thread's module serves with `serveFromThread`;
// the benchmark starts it with `startServerThread`.
import { parentPort, Worker } from 'node:worker_threads'

/** In the thread: starts `server`, tells the benchmark its URL, and stops it when told to. */
export async function serveFromThread(server: {
  url: string
  start(): Promise<unknown>
  stop(): Promise<void>
}): Promise<void> {
  const port = parentPort
  if (port === null) throw new Error('serveFromThread runs in a worker thread')
  await server.start()
  port.postMessage(server.url)
  port.once('message', async () => {
    await server.stop()
    port.close()
  })
}

/** Starts the thread of `module` (with `data` as its workerData): its server's URL, and `stop`. */
export async function startServerThread(
  module: URL,
  data?: unknown,
): Promise<{ url: string; stop(): Promise<void> }> {
  const thread = new Worker(module, { workerData: data })
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
