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
