import { Writable } from 'node:stream'

/** A writable stream that keeps what was written, for asserting on command output. */
export class Capture extends Writable {
  private readonly chunks: string[] = []

  override _write(chunk: Buffer | string, _encoding: string, done: () => void): void {
    this.chunks.push(chunk.toString())
    done()
  }

  get text(): string {
    return this.chunks.join('')
  }
}
