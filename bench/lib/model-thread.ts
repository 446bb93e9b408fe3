// A zero-latency scripted model in a thread of its own: its work (reading requests, writing
// answers) is not the client's, as a real model's is not. It plays one turn for ever: a lookup of
// order #4429, then, once the lookup's result is in the request, a reply.
import { isMainThread } from 'node:worker_threads'
import { reply } from '../../test/support/scripted-model.ts'
import { ScriptedOpenAiServer } from '../../test/support/scripted-openai-server.ts'
import { serveFromThread, startServerThread } from './server-thread.ts'

if (!isMainThread) {
  await serveFromThread(
    new ScriptedOpenAiServer(
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
    ),
  )
}

/** Starts the model's thread: its base URL, and `stop`. */
export function modelThread(): Promise<{ url: string; stop(): Promise<void> }> {
  return startServerThread(new URL(import.meta.url))
}
