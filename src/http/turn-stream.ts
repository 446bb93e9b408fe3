import type { Context } from 'hono'
import { streamSSE } from 'hono/streaming'
import type { WorkerEvent } from '../agent/worker-events.ts'
import type { Logger } from '../lib/logger.ts'

/** The data of the last event of every stream, the end marker streaming clients look for. */
export const DONE = '[DONE]'

/** Turns still running, so a server can let them finish before it closes the database. */
export class RunningTurns {
  private readonly running = new Set<Promise<void>>()

  track(turn: Promise<void>): void {
    this.running.add(turn)
    void turn.finally(() => this.running.delete(turn))
  }

  /** Waits for the running turns, at most `ms`; resolves to how many were still running. */
  async settle(ms: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms)
    })
    await Promise.race([Promise.allSettled([...this.running]), late])
    clearTimeout(timer)
    return this.running.size
  }
}

/**
 * A Worker turn as Server-Sent Events: one event per Worker event (`event` its type, `data` its
 * JSON, `id` its position in the turn), then `event: done` with `data: [DONE]`. The turn runs
 * apart from the response: a client that goes away mid-stream stops receiving, and the turn still
 * completes and is stored.
 */
export function streamTurn(
  c: Context,
  turn: AsyncGenerator<WorkerEvent>,
  options: { logger: Logger; running: RunningTurns },
): Response {
  const queue: string[][] = []
  let finished = false
  let wake: (() => void) | undefined
  const push = (entry: string[]) => {
    queue.push(entry)
    wake?.()
  }
  const driven = (async () => {
    try {
      for await (const event of turn) push([event.type, JSON.stringify(event)])
    } catch (error) {
      options.logger.error({ err: error }, 'a chat turn failed')
      push([
        'error',
        JSON.stringify({
          type: 'error',
          conversationId: null,
          code: 'internal_error',
          message: 'The turn failed on the server; see its log.',
        }),
      ])
    } finally {
      finished = true
      wake?.()
    }
  })()
  options.running.track(driven)
  return streamSSE(c, async (stream) => {
    let id = 0
    while (!stream.aborted) {
      const next = queue.shift()
      if (next !== undefined) {
        const [event, data] = next as [string, string]
        await stream.writeSSE({ event, data, id: String(++id) })
      } else if (finished) {
        await stream.writeSSE({ event: 'done', data: DONE, id: String(++id) })
        return
      } else {
        await new Promise<void>((resolve) => {
          wake = resolve
        })
        wake = undefined
      }
    }
  })
}
