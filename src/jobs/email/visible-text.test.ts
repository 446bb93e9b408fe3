import { describe, expect, it } from 'vitest'
import { visibleText } from './visible-text.ts'

/** Wall-clock milliseconds `run` takes. */
function timed(run: () => void): number {
  const start = performance.now()
  run()
  return performance.now() - start
}

describe('visibleText', () => {
  it('keeps a line too long to be a quote header as it was', () => {
    const long = `${'A long line. '.repeat(40)}end`
    expect(
      visibleText(`Hello\n${long}\n\nOn Mon, Dec 1, 2026 Help <h@x.example> wrote:\n> old`),
    ).toBe(`Hello\n${long}\n`)
  })

  it('hides a quoted line too long to be a quote header', () => {
    expect(visibleText(`Yes.\n\n> ${'old words '.repeat(50)}`).trim()).toBe('Yes.')
  })

  it('stops after a window that ends in a quote header: the rest is history', () => {
    const reply = Array.from({ length: 30 }, (_, i) => `Line ${i} of the answer.`).join('\n')
    const history = Array.from({ length: 200 }, (_, i) => `Old line ${i}.`).join('\n')
    const text = `${reply}\n\n-----Original Message-----\n${history}`
    expect(visibleText(text).trim()).toBe(reply)
  })

  // Each input took email-reply-parser alone 10 s to 30 s (its patterns backtrack); a window
  // takes milliseconds, so the bound is generous for a busy machine yet far below the library's.
  it('reads text made to make its patterns backtrack in bounded time', () => {
    const oneLine = 'x on at '.repeat(2_500)
    const manyStarts = 'Op x schreef\n'.repeat(1_500)
    expect(timed(() => visibleText(oneLine))).toBeLessThan(3_000)
    expect(timed(() => visibleText(manyStarts))).toBeLessThan(3_000)
    expect(visibleText(oneLine)).toBe(oneLine)
  })
})
