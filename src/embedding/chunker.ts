import { countTokens } from './tokenizer.ts'

export interface Chunk {
  index: number
  text: string
  /** `text === source.slice(charStart, charEnd)`. */
  charStart: number
  charEnd: number
  tokenCount: number
}

export interface ChunkOptions {
  /** Aim for chunks of about this many tokens. */
  targetTokens?: number
  /** Each chunk after the first repeats about this share of the previous chunk's end. */
  overlap?: number
  /** Documents shorter than this are kept whole. */
  wholeBelowTokens?: number
}

const DEFAULTS = { targetTokens: 400, overlap: 0.15, wholeBelowTokens: 300 }

/** A sentence (or a piece of an over-long one) and where it sits. */
interface Unit {
  start: number
  end: number
  tokens: number
  /** Starts a paragraph; `heading` when that paragraph is a markdown heading. */
  opens: 'heading' | 'paragraph' | undefined
}

/**
 * Splits text at semantic boundaries: headings and paragraphs first, then sentences, then words
 * for a sentence too long to fit. Chunks are contiguous slices of the source, so offsets are exact,
 * and each chunk after the first starts with the tail (10–20 %) of the one before.
 */
export function chunkText(source: string, options: ChunkOptions = {}): Chunk[] {
  const { targetTokens, overlap, wholeBelowTokens } = { ...DEFAULTS, ...options }
  const trimmedStart = source.length - source.trimStart().length
  const trimmedEnd = source.trimEnd().length
  if (trimmedEnd <= trimmedStart) return []
  const total = countTokens(source)
  if (total < wholeBelowTokens) {
    return [makeChunk(source, 0, trimmedStart, trimmedEnd)]
  }

  // A sentence longer than what is left after the overlap is cut between words.
  const units = splitUnits(source, Math.floor(targetTokens * 0.8))
  const chunks: Chunk[] = []
  let first = 0
  while (first < units.length) {
    const firstUnit = units[first] as Unit
    const start = chunks.length === 0 ? firstUnit.start : overlapStart(chunks, units, first)
    let tokens = start < firstUnit.start ? countTokens(source.slice(start, firstUnit.start)) : 0
    let last = first
    tokens += firstUnit.tokens
    while (last + 1 < units.length) {
      const next = units[last + 1] as Unit
      if (tokens + next.tokens > targetTokens) break
      // A heading starts a new chunk once this one is well filled, so sections stay together.
      if (next.opens === 'heading' && tokens >= targetTokens * 0.6) break
      last++
      tokens += next.tokens
    }
    // Token counts of pieces do not add up exactly to the count of their concatenation.
    while (
      last > first &&
      countTokens(source.slice(start, (units[last] as Unit).end)) > targetTokens
    ) {
      last--
    }
    chunks.push(makeChunk(source, chunks.length, start, (units[last] as Unit).end))
    first = last + 1
  }
  return chunks

  /** Where the chunk whose new material starts at `units[first]` begins: inside the previous one. */
  function overlapStart(done: readonly Chunk[], all: readonly Unit[], firstNew: number): number {
    const previous = done[done.length - 1] as Chunk
    const low = targetTokens * 0.1
    const high = targetTokens * 0.2
    // Whole sentences from the end of the previous chunk, as many as fit in 20 %.
    let k = firstNew
    let tokens = 0
    while (k - 1 >= 0 && (all[k - 1] as Unit).start >= previous.charStart) {
      const candidate = tokens + (all[k - 1] as Unit).tokens
      if (candidate > high) break
      tokens = candidate
      k--
    }
    if (tokens >= low) return (all[k] as Unit).start
    // The last sentence is too long to repeat whole: repeat its last words instead.
    return wordTailStart(source, previous.charStart, previous.charEnd, targetTokens * overlap)
  }
}

function makeChunk(source: string, index: number, start: number, end: number): Chunk {
  const text = source.slice(start, end)
  return { index, text, charStart: start, charEnd: end, tokenCount: countTokens(text) }
}

/** Paragraphs (blank-line separated, or a heading line), split into sentences, then words. */
function splitUnits(source: string, maxTokens: number): Unit[] {
  const units: Unit[] = []
  for (const paragraph of paragraphs(source)) {
    let opens: Unit['opens'] = paragraph.heading ? 'heading' : 'paragraph'
    for (const sentence of sentences(source, paragraph.start, paragraph.end)) {
      const tokens = countTokens(source.slice(sentence.start, sentence.end))
      const pieces =
        tokens <= maxTokens
          ? [{ ...sentence, tokens }]
          : wordWindows(source, sentence.start, sentence.end, maxTokens)
      for (const piece of pieces) {
        units.push({ ...piece, opens })
        opens = undefined
      }
    }
  }
  return units
}

function paragraphs(source: string): { start: number; end: number; heading: boolean }[] {
  const found: { start: number; end: number; heading: boolean }[] = []
  let start = -1
  let end = -1
  const close = () => {
    if (start >= 0) found.push({ start, end, heading: false })
    start = -1
  }
  let offset = 0
  for (const line of source.split('\n')) {
    const lineStart = offset
    offset += line.length + 1
    const content = line.trim()
    if (content === '') {
      close()
    } else if (/^#{1,6}\s/.test(content)) {
      close()
      const indent = line.length - line.trimStart().length
      found.push({
        start: lineStart + indent,
        end: lineStart + line.trimEnd().length,
        heading: true,
      })
    } else {
      if (start < 0) start = lineStart + (line.length - line.trimStart().length)
      end = lineStart + line.trimEnd().length
    }
  }
  close()
  return found
}

/** Sentence spans inside [from, to): ends at . ! ? (and a closing quote) followed by space. */
function sentences(source: string, from: number, to: number): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = []
  const text = source.slice(from, to)
  const boundary = /[.!?]["')\]]*\s+/g
  let start = 0
  for (let match = boundary.exec(text); match !== null; match = boundary.exec(text)) {
    const end = match.index + match[0].trimEnd().length
    spans.push({ start: from + start, end: from + end })
    start = match.index + match[0].length
  }
  if (start < text.length) spans.push({ start: from + start, end: to })
  return spans.filter((s) => s.end > s.start)
}

/** Splits an over-long span into windows of whole words, each at most `maxTokens`. */
function wordWindows(
  source: string,
  from: number,
  to: number,
  maxTokens: number,
): { start: number; end: number; tokens: number }[] {
  const words = [...source.slice(from, to).matchAll(/\S+/g)].map((m) => [
    from + m.index,
    from + m.index + m[0].length,
  ])
  const windows: { start: number; end: number; tokens: number }[] = []
  let window: { start: number; end: number; tokens: number } | undefined
  for (const [start = 0, end = 0] of words) {
    const tokens = window === undefined ? 0 : countTokens(source.slice(window.start, end))
    if (window !== undefined && tokens <= maxTokens) {
      window.end = end
      window.tokens = tokens
      continue
    }
    if (window !== undefined) windows.push(window)
    window = { start, end, tokens: countTokens(source.slice(start, end)) }
  }
  if (window !== undefined) windows.push(window)
  return windows
}

/** The start of the shortest run of whole words ending at `end` with at least `tokens` tokens. */
function wordTailStart(source: string, floor: number, end: number, tokens: number): number {
  let start = end
  for (;;) {
    const before = source.lastIndexOf(' ', start - 2)
    const candidate = before < floor ? floor : before + 1
    if (candidate === start) return start
    start = candidate
    if (start === floor || countTokens(source.slice(start, end)) >= tokens) return start
  }
}
