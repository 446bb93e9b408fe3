// @ts-check
// A server's live stream of changes (GET, Server-Sent Events), read with fetch so the request can
// carry the bearer token, which EventSource cannot send. A dropped connection is made again,
// sooner at first and then less often, resuming after the last event seen (`Last-Event-ID`).
import { EventSourceParserStream } from 'eventsource-parser/stream'

/**
 * @typedef {{
 *   onEvent: (data: any) => void,
 *   onRefused?: (status: number) => void,
 *   onState?: (state: 'live' | 'reconnecting') => void,
 * }} FollowHandlers
 */

/**
 * @param {string} path
 * @param {() => string | undefined} token
 * @param {FollowHandlers} handlers `onRefused`: the server answered 401, 403 or 404 (a route it does
 *   not have, a conversation not one's own): not tried again.
 * @returns {{ close: () => void }}
 */
export function follow(path, token, handlers) {
  const controller = new AbortController()
  const { signal } = controller
  /** @type {string | undefined} */
  let lastId
  let wait = 1000

  async function once() {
    const headers = new Headers({ accept: 'text/event-stream' })
    const bearer = token()
    if (bearer !== undefined) headers.set('authorization', `Bearer ${bearer}`)
    if (lastId !== undefined) headers.set('last-event-id', lastId)
    const response = await fetch(path, { headers, signal, cache: 'no-store' })
    if ([401, 403, 404].includes(response.status)) return response.status
    if (!response.ok || response.body === null) return undefined
    handlers.onState?.('live')
    wait = 1000
    const reader = response.body
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new EventSourceParserStream())
      .getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return undefined
      if (value.id) lastId = value.id
      handlers.onEvent(JSON.parse(value.data))
    }
  }

  void (async () => {
    while (!signal.aborted) {
      const refused = await once().catch(() => undefined)
      if (signal.aborted) return
      if (refused !== undefined) {
        handlers.onRefused?.(refused)
        return
      }
      handlers.onState?.('reconnecting')
      await new Promise((resolve) => setTimeout(resolve, wait))
      wait = Math.min(wait * 2, 30_000)
    }
  })()
  return { close: () => controller.abort() }
}
