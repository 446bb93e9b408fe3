import EmailReplyParser from 'email-reply-parser'

/**
 * A line longer than this is neither a quote header nor a signature line: the library sees a
 * short stand-in for it. Its header patterns (`.+\son.*at.*wrote:` and the like) backtrack in
 * time cubic in a line's length: one 20,000-character line took 30 s.
 */
const LONG_LINE = 300

/**
 * The most text the library reads at once. Some header patterns span lines (`Op\s[\s\S]+?schreef`)
 * and are tried over its whole input, cubic in its size: 20,000 characters of short lines took
 * 10 s, 2,000 take milliseconds. The library runs them without backtracking when the `re2`
 * package is installed; this bound keeps the cost linear without it.
 */
const WINDOW_CHARS = 2_000

/** Marks a stand-in; a private-use character, so it is no pattern's word, space or digit. */
const STAND_IN = /\uE000(\d+)\uE001/g

/**
 * The text `email-reply-parser` shows as the reply (quoted fragments and signatures hidden), read
 * in windows of whole lines so that its cost stays linear in the text's length. `text` has `\n`
 * line ends. Reading stops at the first window that ends in hidden text other than `>` quotes:
 * what follows a quote header or a signature is the rest of the history, whatever the window.
 */
export function visibleText(text: string): string {
  const lines = text.split('\n')
  const parser = new EmailReplyParser()
  const kept: string[] = []
  for (const window of windows(lines.map(standIn))) {
    const email = parser.read(window.join('\n'))
    const fragments = email.getFragments()
    // The library drops a leading line break; a window may start with the blank line between two
    // paragraphs.
    const dropped = window[0] === '' && fragments[0]?.isHidden() === false
    kept.push(`${dropped ? '\n' : ''}${email.getVisibleText()}`)
    const last = fragments.findLast((fragment) => !fragment.isEmpty())
    const lastLine = window.findLast((line) => line.trim() !== '') ?? ''
    if (last?.isHidden() && !lastLine.startsWith('>')) break
  }
  return kept.join('\n').replace(STAND_IN, (found, index: string) => lines[Number(index)] ?? found)
}

/** A long line's stand-in: its index, and its leading `>` so that a quoted line stays quoted. */
function standIn(line: string, index: number): string {
  if (line.length <= LONG_LINE) return line
  return `${line.startsWith('>') ? '>' : ''}\uE000${index}\uE001`
}

/**
 * Consecutive lines, at most `WINDOW_CHARS` a window. Past half of it a window ends before a
 * blank line, so that a quote header stays with the blank line above it, which the library needs.
 */
function* windows(lines: readonly string[]): Generator<string[]> {
  let window: string[] = []
  let size = 0
  for (const line of lines) {
    const full = size + line.length > WINDOW_CHARS
    const paragraphEnds = size > WINDOW_CHARS / 2 && line.trim() === ''
    if (window.length > 0 && (full || paragraphEnds)) {
      yield window
      window = []
      size = 0
    }
    window.push(line)
    size += line.length + 1
  }
  if (window.length > 0) yield window
}
