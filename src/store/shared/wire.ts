/**
 * The few pieces of the Postgres wire protocol (version 3) that the embedded database's host speaks
 * itself: framing, the start-up exchange, and the messages it writes on the session's behalf. The
 * rest passes through to PGlite byte for byte.
 */

export const PROTOCOL_3 = 196_608
export const SSL_REQUEST = 80_877_103
export const GSSENC_REQUEST = 80_877_104
export const CANCEL_REQUEST = 80_877_102

/** Transaction status in ReadyForQuery: idle, in a transaction, in a failed transaction. */
export type TransactionStatus = 'I' | 'T' | 'E'

export interface Frame {
  /** The message type byte as a character; '' for an untyped start-up message. */
  type: string
  /** The whole message, type byte and length included. */
  bytes: Buffer
}

/**
 * Cuts complete messages off the front of `buffer`. Before start-up is done messages have no type
 * byte. Returns the frames and what is left over.
 */
export function takeFrames(buffer: Buffer, untyped: boolean): { frames: Frame[]; rest: Buffer } {
  const frames: Frame[] = []
  let offset = 0
  while (true) {
    const headerLength = untyped ? 4 : 5
    if (buffer.length - offset < headerLength) break
    const length = buffer.readInt32BE(offset + (untyped ? 0 : 1))
    const size = untyped ? length : length + 1
    if (length < 4 || size > MAX_MESSAGE) throw new Error(`bad message length ${length}`)
    if (buffer.length - offset < size) break
    frames.push({
      type: untyped ? '' : String.fromCharCode(buffer[offset] as number),
      bytes: buffer.subarray(offset, offset + size),
    })
    offset += size
    // Only the first message of a connection is untyped (an SSL request comes before it and is
    // answered before the next one is read).
    if (untyped) break
  }
  return { frames, rest: buffer.subarray(offset) }
}

/** One gigabyte, Postgres's own ceiling on a message. */
const MAX_MESSAGE = 0x4000_0000

/** The start-up message's parameters (`user`, `database`, `options`, …). */
export function startupParameters(frame: Frame): Map<string, string> {
  const params = new Map<string, string>()
  const parts = frame.bytes.subarray(8).toString('utf8').split('\0')
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const key = parts[i] as string
    if (key === '') break
    params.set(key, parts[i + 1] as string)
  }
  return params
}

export function message(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(5)
  head.write(type, 0, 'latin1')
  head.writeInt32BE(body.length + 4, 1)
  return Buffer.concat([head, body])
}

export function cstring(text: string): Buffer {
  return Buffer.from(`${text}\0`, 'utf8')
}

export function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4)
  buffer.writeInt32BE(value)
  return buffer
}

export const authenticationOk = (): Buffer => message('R', int32(0))

export const parameterStatus = (name: string, value: string): Buffer =>
  message('S', Buffer.concat([cstring(name), cstring(value)]))

export const backendKeyData = (pid: number, secret: number): Buffer =>
  message('K', Buffer.concat([int32(pid), int32(secret)]))

export const readyForQuery = (status: TransactionStatus): Buffer =>
  message('Z', Buffer.from(status, 'latin1'))

export const commandComplete = (tag: string): Buffer => message('C', cstring(tag))

export const notificationResponse = (pid: number, channel: string, payload: string): Buffer =>
  message('A', Buffer.concat([int32(pid), cstring(channel), cstring(payload)]))

export const simpleQuery = (sql: string): Buffer => message('Q', cstring(sql))

/** An ErrorResponse (or, with severity FATAL, the one a server sends as it closes the connection). */
export function errorResponse(
  severity: 'ERROR' | 'FATAL',
  code: string,
  text: string,
  hint?: string,
): Buffer {
  const fields = [
    Buffer.from('S'),
    cstring(severity),
    Buffer.from('V'),
    cstring(severity),
    Buffer.from('C'),
    cstring(code),
    Buffer.from('M'),
    cstring(text),
    ...(hint === undefined ? [] : [Buffer.from('H'), cstring(hint)]),
    Buffer.from([0]),
  ]
  return message('E', Buffer.concat(fields))
}

/** A NoticeResponse: a client's driver hands it to its `notice` listeners. */
export function noticeResponse(text: string): Buffer {
  return message(
    'N',
    Buffer.concat([
      Buffer.from('S'),
      cstring('NOTICE'),
      Buffer.from('C'),
      cstring('00000'),
      Buffer.from('M'),
      cstring(text),
      Buffer.from([0]),
    ]),
  )
}

/** The fields of an ErrorResponse or NoticeResponse by their code letter (`M`, `C`, …). */
export function errorFields(bytes: Buffer): Map<string, string> {
  const fields = new Map<string, string>()
  let offset = 5
  while (offset < bytes.length && bytes[offset] !== 0) {
    const code = String.fromCharCode(bytes[offset] as number)
    const end = bytes.indexOf(0, offset + 1)
    fields.set(code, bytes.subarray(offset + 1, end).toString('utf8'))
    offset = end + 1
  }
  return fields
}

/** Reads the NUL-terminated string at `offset`; returns it and the offset after its NUL. */
export function readCstring(bytes: Buffer, offset: number): { text: string; next: number } {
  const end = bytes.indexOf(0, offset)
  if (end === -1) throw new Error('unterminated string in message')
  return { text: bytes.subarray(offset, end).toString('utf8'), next: end + 1 }
}
