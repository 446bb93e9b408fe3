import { type Frame, takeFrames } from './wire.ts'

/**
 * Bytes from a client, cut into whole protocol messages. The chunks are kept as a list and joined
 * only once the first message has all arrived, as its header says: joining them at every chunk
 * would copy a large message over and over (quadratic in its size).
 */
export class MessageReader {
  #chunks: Buffer[] = []
  #bytes = 0

  push(chunk: Buffer): void {
    this.#chunks.push(chunk)
    this.#bytes += chunk.length
  }

  /** The whole messages received so far; `untyped`: before start-up, when they have no type byte. */
  take(untyped: boolean): Frame[] {
    const lengthAt = untyped ? 0 : 1
    if (this.#bytes < lengthAt + 4) return []
    const head = Buffer.alloc(lengthAt + 4)
    let filled = 0
    for (const chunk of this.#chunks) {
      filled += chunk.copy(head, filled, 0, Math.min(chunk.length, head.length - filled))
      if (filled === head.length) break
    }
    if (this.#bytes < head.readInt32BE(lengthAt) + lengthAt) return []
    const all =
      this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks)
    const { frames, rest } = takeFrames(all, untyped)
    this.#chunks = rest.length === 0 ? [] : [rest]
    this.#bytes = rest.length
    return frames
  }
}
