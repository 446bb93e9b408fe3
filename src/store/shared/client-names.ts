import { cstring, type Frame, message, readCstring } from './wire.ts'

/**
 * One client's prepared statements and portals, renamed with a prefix of its own on their way to
 * the shared session, so that two clients' names (node-postgres names its statements by their text)
 * never meet. The names it prepared are kept, to deallocate when it goes.
 */
export class ClientNames {
  readonly prepared = new Set<string>()
  readonly #prefix: string

  constructor(prefix: string) {
    this.#prefix = prefix
  }

  /** The statement text of a Parse, and the Parse with its statement renamed. */
  parse(frame: Frame): { sql: string; bytes: Buffer } {
    const name = readCstring(frame.bytes, 5)
    const query = readCstring(frame.bytes, name.next)
    if (name.text === '') return { sql: query.text, bytes: frame.bytes }
    const renamed = this.#prefix + name.text
    this.prepared.add(renamed)
    return {
      sql: query.text,
      bytes: message(
        'P',
        Buffer.concat([cstring(renamed), cstring(query.text), frame.bytes.subarray(query.next)]),
      ),
    }
  }

  /** Bind, Describe, Close and Execute with the client's statement and portal names. */
  rename(frame: Frame): Buffer {
    const { bytes, type } = frame
    const prefixed = (name: string) => (name === '' ? '' : this.#prefix + name)
    if (type === 'B') {
      const portal = readCstring(bytes, 5)
      const statement = readCstring(bytes, portal.next)
      if (portal.text === '' && statement.text === '') return bytes
      return message(
        'B',
        Buffer.concat([
          cstring(prefixed(portal.text)),
          cstring(prefixed(statement.text)),
          bytes.subarray(statement.next),
        ]),
      )
    }
    if (type === 'D' || type === 'C') {
      const name = readCstring(bytes, 6)
      if (name.text === '') return bytes
      if (type === 'C' && bytes[5] === 0x53) this.prepared.delete(this.#prefix + name.text)
      return message(type, Buffer.concat([bytes.subarray(5, 6), cstring(prefixed(name.text))]))
    }
    if (type === 'E') {
      const portal = readCstring(bytes, 5)
      if (portal.text === '') return bytes
      return message(
        'E',
        Buffer.concat([cstring(prefixed(portal.text)), bytes.subarray(portal.next)]),
      )
    }
    return bytes
  }
}
