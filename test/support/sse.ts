export interface SseEvent {
  id: string
  event: string
  data: string
}

/** The events of a Server-Sent Events body, in order. */
export function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const field = (name: string) =>
        block
          .split('\n')
          .filter((line) => line.startsWith(`${name}: `))
          .map((line) => line.slice(name.length + 2))
          .join('\n')
      return { id: field('id'), event: field('event'), data: field('data') }
    })
}

/** The data of the first event of type `type`, parsed; undefined when there is none. */
export function eventData<T>(events: readonly SseEvent[], type: string): T | undefined {
  const found = events.find((e) => e.event === type)
  return found === undefined ? undefined : (JSON.parse(found.data) as T)
}

/**
 * An open Server-Sent Events stream read as it arrives: `next` waits for the next event that
 * `matches` (up to `ms`, then fails naming what it waited for); comments are skipped.
 */
export async function openSse(
  url: string,
  headers: Record<string, string>,
): Promise<{
  status: number
  next(matches: (event: SseEvent) => boolean, what: string, ms?: number): Promise<SseEvent>
  close(): void
}> {
  const controller = new AbortController()
  const response = await fetch(url, { headers, signal: controller.signal })
  const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  const queue: SseEvent[] = []
  const pull = async (): Promise<boolean> => {
    const chunk = await reader?.read()
    if (chunk === undefined || chunk.done) return false
    buffer += chunk.value
    const blocks = buffer.split('\n\n')
    buffer = blocks.pop() ?? ''
    for (const block of blocks) {
      if (block.split('\n').every((line) => line.startsWith(':') || line === '')) continue
      queue.push(...parseSse(`${block}\n\n`))
    }
    return true
  }
  return {
    status: response.status,
    async next(matches, what, ms = 20_000) {
      const deadline = Date.now() + ms
      for (;;) {
        const index = queue.findIndex(matches)
        if (index >= 0) return queue.splice(0, index + 1)[index] as SseEvent
        if (Date.now() > deadline) throw new Error(`no ${what} arrived within ${ms} ms`)
        const more = await Promise.race([
          pull(),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 250)),
        ])
        if (!more) throw new Error(`the stream ended before ${what}`)
      }
    },
    close() {
      controller.abort()
    },
  }
}
