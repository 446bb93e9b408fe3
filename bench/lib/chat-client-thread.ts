// The chat API's client in a thread of its own, as a browser is a process of its own: reading
// and parsing the streams is not charged to the server it measures.
import { parentPort, Worker } from 'node:worker_threads'
import { createParser } from 'eventsource-parser'

export interface Timing {
  /** From the request to the first event, ms. */
  first: number
  /** From the request to the end of the turn (`[DONE]`, or the generator's end), ms. */
  done: number
  /** Whether the turn ended as completed with no error event. */
  ok: boolean
}

interface Request {
  id: number
  op: 'turn' | 'trip' | 'concurrent'
  url: string
  token: string
  message: string
  /** How many turns at once, for `concurrent`. */
  n: number
}

/** One turn through `POST /api/chat`: the SSE stream read as the web UI reads it. */
async function overHttp(url: string, token: string, message: string): Promise<Timing> {
  const started = performance.now()
  let first = 0
  let done = 0
  let ok = false
  let failed = false
  const parser = createParser({
    onEvent(event) {
      if (first === 0) first = performance.now() - started
      if (event.event === 'done') done = performance.now() - started
      else if (event.event === 'error') failed = true
      else if (event.event === 'turn_ended') ok = event.data.includes('"completed"')
    },
  })
  const response = await fetch(`${url}/api/chat`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ message }),
  })
  if (response.status !== 200 || response.body === null) {
    await response.body?.cancel()
    return { first: 0, done: 0, ok: false }
  }
  const decoder = new TextDecoder()
  for await (const chunk of response.body) parser.feed(decoder.decode(chunk, { stream: true }))
  return { first, done, ok: ok && !failed && done > 0 }
}

/** An authenticated round trip that does no work: `GET /api/me`, read to its end. */
async function roundTrip(url: string, token: string): Promise<number> {
  const started = performance.now()
  const response = await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${token}` } })
  await response.json()
  if (response.status !== 200) throw new Error(`GET /api/me answered ${response.status}`)
  return performance.now() - started
}

/** `n` turns at once: the wall time until the last ends, and how many failed. */
export async function concurrently(n: number, turn: () => Promise<Timing>) {
  const started = performance.now()
  const settled = await Promise.allSettled(Array.from({ length: n }, turn))
  const wall = performance.now() - started
  const failed = settled.filter((s) => s.status === 'rejected' || !s.value.ok).length
  return { wall, failed }
}

if (parentPort !== null) {
  const port = parentPort
  port.on('message', async (request: Request) => {
    const { id, url, token, message } = request
    const result =
      request.op === 'turn'
        ? await overHttp(url, token, message)
        : request.op === 'trip'
          ? await roundTrip(url, token)
          : await concurrently(request.n, () => overHttp(url, token, message))
    port.postMessage({ id, result })
  })
}

/** Starts the client's thread. */
export function chatClientThread(url: string, token: string, message: string) {
  const thread = new Worker(new URL(import.meta.url))
  let next = 0
  const waiting = new Map<
    number,
    { resolve: (result: unknown) => void; reject: (e: Error) => void }
  >()
  thread.on('message', ({ id, result }: { id: number; result: unknown }) => {
    waiting.get(id)?.resolve(result)
    waiting.delete(id)
  })
  thread.on('error', (error) => {
    for (const { reject } of waiting.values()) reject(error)
    waiting.clear()
  })
  const ask = <T>(request: Omit<Request, 'id' | 'url' | 'token' | 'message'>) =>
    new Promise<T>((resolve, reject) => {
      const id = next++
      waiting.set(id, { resolve: resolve as (result: unknown) => void, reject })
      thread.postMessage({ ...request, id, url, token, message })
    })
  return {
    turn: () => ask<Timing>({ op: 'turn', n: 1 }),
    trip: () => ask<number>({ op: 'trip', n: 1 }),
    concurrent: (n: number) => ask<{ wall: number; failed: number }>({ op: 'concurrent', n }),
    stop: () => thread.terminate(),
  }
}
