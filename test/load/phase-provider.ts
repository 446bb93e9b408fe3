import { createParser } from 'eventsource-parser'
import { reply } from '../support/scripted-model.ts'
import type { LoadRun, PhaseResult } from './load-run.ts'

interface Streamed {
  events: Array<{ event: string; data: string }>
  ms: number
}

/** One chat turn over the chat API of replica `replica`, read to its end. */
async function chatTurn(run: LoadRun, replica: number, message: string): Promise<Streamed> {
  const started = performance.now()
  const response = await fetch(`${run.baseUrls[replica]}/api/chat`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await run.apiToken('demo|maya-okafor')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ message }),
    signal: AbortSignal.timeout(120_000),
  })
  if (!response.ok || response.body === null) {
    throw new Error(`POST /api/chat answered ${response.status}: ${await response.text()}`)
  }
  const events: Streamed['events'] = []
  const parser = createParser({
    onEvent: (e) => events.push({ event: e.event ?? 'message', data: e.data }),
  })
  const decoder = new TextDecoder()
  for await (const chunk of response.body) parser.feed(decoder.decode(chunk, { stream: true }))
  return { events, ms: performance.now() - started }
}

/**
 * A provider fault end to end, through a replica's chat API: the model answers 429 with
 * Retry-After 2 first, and the turn waits at least that long, then completes; a provider that
 * keeps failing gives a clear error event after bounded attempts, and the stream still ends.
 */
export async function providerPhase(run: LoadRun, maxRetries: number): Promise<PhaseResult> {
  const violations: string[] = []
  const { model } = run
  const asked = model.requests.length
  model.enqueue(
    { status: 429, headers: { 'retry-after': '2' }, body: { error: { message: 'slow down' } } },
    reply({ text: 'Thanks for your patience; how can I help with your order?' }),
  )
  const throttled = await chatTurn(run, 1, 'hello, are you there?')
  const attempts = model.requests.slice(asked)
  const waitedMs = (attempts[1]?.at ?? 0) - (attempts[0]?.at ?? 0)
  if (attempts.length !== 2) violations.push(`the model was asked ${attempts.length} times, not 2`)
  if (waitedMs < 2000)
    violations.push(`the retry came ${waitedMs.toFixed(0)} ms after the 429, not ≥ 2000`)
  const reply1 = throttled.events.find((e) => e.event === 'message')?.data ?? ''
  if (!reply1.includes('how can I help'))
    violations.push(`no reply after the 429: ${reply1.slice(0, 200)}`)
  if (throttled.events.at(-1)?.data !== '[DONE]')
    violations.push('the throttled turn did not end with [DONE]')

  const before = model.requests.length
  for (let i = 0; i <= maxRetries; i++) {
    model.enqueue({ status: 503, body: { error: { message: 'overloaded' } } })
  }
  const failing = await chatTurn(run, 0, 'is anyone there?')
  const tries = model.requests.length - before
  if (tries !== maxRetries + 1)
    violations.push(`a failing provider was asked ${tries} times, not ${maxRetries + 1}`)
  const error = failing.events.find((e) => e.event === 'error')?.data ?? ''
  if (error === '') violations.push('a failing provider gave no error event')
  if (failing.events.at(-1)?.data !== '[DONE]')
    violations.push('the failed turn did not end with [DONE]')
  return {
    name: 'fault: the model provider, end to end through POST /api/chat',
    figures: [
      [
        '429 with Retry-After: 2, then 200',
        `retried after ${(waitedMs / 1000).toFixed(2)} s; turn done in ${(throttled.ms / 1000).toFixed(2)} s`,
      ],
      [
        `503 on every one of ${maxRetries + 1} attempts`,
        `error event after ${(failing.ms / 1000).toFixed(2)} s: ${error.slice(0, 160)}`,
      ],
    ],
    violations,
  }
}
