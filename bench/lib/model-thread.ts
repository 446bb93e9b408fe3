// A zero-latency scripted model in a thread of its own: its work (reading requests, writing
// answers) is not the client's, as a real model's is not. It plays one turn for ever: a lookup of
// order #4429, then, once the lookup's result is in the request, a reply.
import { parentPort, Worker } from 'node:worker_threads'
import { reply } from '../../test/support/scripted-model.ts'
import { ScriptedOpenAiServer } from '../../test/support/scripted-openai-server.ts'

if (parentPort !== null) {
  const port = parentPort
  const server = new ScriptedOpenAiServer(
    reply((request) => {
      const body = request.body as {
        messages?: Array<{ role?: string }>
        input?: Array<{ type?: string }>
      }
      const last = body.messages?.at(-1)?.role ?? body.input?.at(-1)?.type
      return last === 'tool' || last === 'function_call_output'
        ? { text: 'Order #4429 is refunded.' }
        : { toolCalls: [{ name: 'domain_lookup_order', arguments: { order: '4429' } }] }
    }),
    undefined,
    { record: false },
  )
  await server.start()
  port.postMessage(server.url)
  port.once('message', async () => {
    await server.stop()
    port.close()
  })
}

/** Starts the model's thread: its base URL, and `stop`. */
export async function modelThread(): Promise<{ url: string; stop(): Promise<void> }> {
  const thread = new Worker(new URL(import.meta.url))
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
