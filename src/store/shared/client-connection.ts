import { randomInt } from 'node:crypto'
import type { Socket } from 'node:net'
import type { HostSession } from './host-session.ts'
import type { Subscriber } from './notification-hub.ts'
import {
  backupStatement,
  identifier,
  inspectStatement,
  listenStatement,
  literal,
  refusalStatement,
  type TurnReset,
} from './session-rules.ts'
import { startupSettings } from './startup-settings.ts'
import {
  authenticationOk,
  backendKeyData,
  CANCEL_REQUEST,
  commandComplete,
  cstring,
  errorResponse,
  type Frame,
  GSSENC_REQUEST,
  message,
  noticeResponse,
  notificationResponse,
  PROTOCOL_3,
  readCstring,
  readyForQuery,
  SSL_REQUEST,
  simpleQuery,
  startupParameters,
  type TransactionStatus,
  takeFrames,
} from './wire.ts'

export interface ConnectionOptions {
  id: number
  session: HostSession
  /** The longest a client may hold the session for one turn. */
  turnLimitMs: number
  onClose(connection: ClientConnection): void
  onError(error: unknown): void
}

/**
 * One client process's connection to the embedded database, served on the host's one session.
 *
 * The client gets the session to itself for a turn: from its first message until the session is
 * idle again (ReadyForQuery says `I` and no Sync is owed), so a transaction runs whole, from BEGIN to
 * COMMIT or ROLLBACK, with nobody else's statements inside it. A turn longer than the limit is
 * rolled back and the connection closed. What the client leaves in the session is cleared as its
 * turn ends or it goes (session-rules.ts); its prepared statements and portals carry a prefix of
 * their own so two clients' names never meet.
 */
export class ClientConnection {
  readonly #socket: Socket
  readonly #options: ConnectionOptions
  readonly #prefix: string
  readonly #subscriber: Subscriber
  #buffer: Buffer = Buffer.alloc(0)
  #started = false
  #chain: Promise<void> = Promise.resolve()
  #release: (() => void) | undefined
  #timer: NodeJS.Timeout | undefined
  #status: TransactionStatus = 'I'
  #syncOwed = false
  /** After a refused Parse: messages are dropped until Sync. */
  #skipping = false
  /** Why the host rolled the client's transaction back, until the client ends it. */
  #expired: string | undefined
  readonly #resets = new Set<TurnReset>()
  readonly #statements = new Set<string>()
  #settings: [string, string][] = []
  /** Hung up: nothing more is read or written. */
  #closed = false
  /** And what it left in the session is cleared. */
  #ended = false

  constructor(socket: Socket, options: ConnectionOptions) {
    this.#socket = socket
    this.#options = options
    this.#prefix = `c${options.id}_`
    this.#subscriber = (channel, payload) => {
      if (!this.#closed) this.#socket.write(notificationResponse(process.pid, channel, payload))
    }
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk])
      this.#enqueue(() => this.#drain())
    })
    socket.on('error', () => this.#enqueue(() => this.#end()))
    socket.on('close', () => this.#enqueue(() => this.#end()))
  }

  /**
   * Ends the connection from outside (the host is stopping): `fatal` is the client's last message.
   * The clean-up waits for what the connection is doing, which a turn's limit bounds.
   */
  close(fatal?: Buffer): Promise<void> {
    this.#hangUp(fatal)
    this.#enqueue(() => this.#end())
    return this.#chain
  }

  /** Stops talking to the client at once; `#end` clears what it left. */
  #hangUp(fatal?: Buffer): void {
    if (this.#closed) return
    this.#closed = true
    if (fatal !== undefined && this.#socket.writable) this.#socket.write(fatal)
    this.#socket.destroy()
  }

  /** Hangs up and clears what the client left: its transaction, statements and LISTENs. */
  async #end(fatal?: Buffer): Promise<void> {
    this.#hangUp(fatal)
    if (this.#ended) return
    this.#ended = true
    try {
      const listening = this.#options.session.hub.channelsOf(this.#subscriber).length > 0
      if (this.#release === undefined && (this.#statements.size > 0 || listening)) {
        await this.#beginTurn()
      }
      if (this.#release !== undefined) {
        const { session } = this.#options
        if (session.inTransaction) session.run('ROLLBACK')
        for (const name of this.#statements) session.run(`DEALLOCATE ${identifier(name)}`)
        this.#statements.clear()
        await session.hub.remove('*', this.#subscriber, async (sql) => session.run(sql))
        this.#endTurn()
      }
    } catch (error) {
      this.#endTurn()
      this.#options.onError(error)
    } finally {
      this.#options.onClose(this)
    }
  }

  /** Runs `work` after what the connection is doing; its failure ends the connection. */
  #enqueue(work: () => Promise<void>): void {
    this.#chain = this.#chain.then(work).catch((error: unknown) => {
      this.#options.onError(error)
      return this.#end(errorResponse('FATAL', '08P01', (error as Error).message))
    })
  }

  async #drain(): Promise<void> {
    while (!this.#closed) {
      const { frames, rest } = takeFrames(this.#buffer, !this.#started)
      this.#buffer = rest
      if (frames.length === 0) break
      if (this.#started) await this.#serve(frames)
      else await this.#startup(frames[0] as Frame)
    }
    if (this.#release !== undefined && this.#status === 'I' && !this.#syncOwed) this.#endTurn()
  }

  async #startup(frame: Frame): Promise<void> {
    const code = frame.bytes.readInt32BE(4)
    if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
      // A Unix socket in a private folder: no TLS to offer.
      this.#socket.write('N')
      return
    }
    if (code === CANCEL_REQUEST) {
      // PGlite cannot interrupt a running statement; the turn limit bounds a transaction instead.
      await this.#end()
      return
    }
    if (code !== PROTOCOL_3) {
      await this.#end(errorResponse('FATAL', '08P01', `unsupported protocol version ${code}`))
      return
    }
    this.#settings = startupSettings(startupParameters(frame))
    if (this.#settings.length > 0) {
      // Refuse a setting the session rejects now, as a server would at start-up.
      try {
        await this.#beginTurn()
        this.#endTurn()
      } catch (error) {
        this.#endTurn()
        await this.#end(errorResponse('FATAL', '22023', (error as Error).message))
        return
      }
    }
    this.#socket.write(
      Buffer.concat([
        authenticationOk(),
        this.#options.session.startupStatus,
        backendKeyData(this.#options.id, randomInt(2 ** 31)),
        readyForQuery('I'),
      ]),
    )
    this.#started = true
  }

  async #serve(all: Frame[]): Promise<void> {
    const frames = this.#expired === undefined ? all : this.#answerExpired(all)
    if (frames.length === 0) return
    if (this.#release === undefined) await this.#beginTurn()
    // Hung up while it waited for the session: `#end` (next in line) gives it back.
    if (this.#closed) return
    let batch: Buffer[] = []
    const flush = () => {
      if (batch.length > 0) this.#exchange(Buffer.concat(batch))
      batch = []
    }
    for (const frame of frames) {
      if (frame.type === 'X') {
        flush()
        await this.#end()
        return
      }
      if (this.#skipping && frame.type !== 'S') continue
      if (frame.type === 'Q') {
        const sql = readCstring(frame.bytes, 5).text
        const listen = listenStatement(sql)
        if (listen !== undefined && this.#status === 'I') {
          flush()
          await this.#listen(listen.action, listen.channel)
          continue
        }
        const backupTo = backupStatement(sql)
        if (backupTo !== undefined && this.#status === 'I') {
          flush()
          await this.#backup(backupTo)
          continue
        }
        const refused = this.#inspect(sql)
        // In its place a statement that fails with the reason, so PGlite itself answers with the
        // error and aborts a transaction it was part of, as a server's refusal would.
        batch.push(refused === undefined ? frame.bytes : simpleQuery(refusalStatement(refused)))
        continue
      }
      if (frame.type === 'S') {
        this.#syncOwed = false
        this.#skipping = false
      } else if ('PBDCEH'.includes(frame.type)) this.#syncOwed = true
      if (frame.type === 'P') {
        const parse = this.#parse(frame)
        if (parse.refused !== undefined) {
          // As a server does after an error in an extended query: the error now, then nothing
          // until Sync, which answers with the (aborted) transaction's state.
          flush()
          this.#socket.write(errorResponse('ERROR', '0A000', parse.refused))
          if (this.#options.session.inTransaction) this.#options.session.abortTransaction()
          this.#skipping = true
          continue
        }
        batch.push(parse.bytes)
        continue
      }
      batch.push(this.#rename(frame))
    }
    flush()
  }

  /** Notes what `sql` leaves in the session; returns why it is refused, if it is. */
  #inspect(sql: string): string | undefined {
    const inspection = inspectStatement(sql)
    for (const reset of inspection.resets) this.#resets.add(reset)
    return inspection.refused
  }

  /** Parse, with this client's statement name; or why its statement is refused. */
  #parse(frame: Frame): { bytes: Buffer; refused?: string } {
    const name = readCstring(frame.bytes, 5)
    const query = readCstring(frame.bytes, name.next)
    const refused = this.#inspect(query.text)
    if (refused !== undefined) return { bytes: frame.bytes, refused }
    if (name.text === '') return { bytes: frame.bytes }
    const renamed = this.#prefix + name.text
    this.#statements.add(renamed)
    return {
      bytes: message(
        'P',
        Buffer.concat([cstring(renamed), cstring(query.text), frame.bytes.subarray(query.next)]),
      ),
    }
  }

  /** Bind, Describe, Close and Execute with this client's statement and portal names. */
  #rename(frame: Frame): Buffer {
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
      if (type === 'C' && bytes[5] === 0x53) this.#statements.delete(this.#prefix + name.text)
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

  /**
   * Runs messages on the session and forwards its answer, minus notifications: PGlite hands those
   * to the hub itself (it parses every answer), which sends them to whoever listens.
   */
  #exchange(bytes: Buffer): void {
    const answer = this.#options.session.exchange(bytes)
    let kept: Buffer[] | undefined
    let from = 0
    let offset = 0
    while (offset + 5 <= answer.length) {
      const type = answer[offset]
      const size = answer.readInt32BE(offset + 1) + 1
      if (type === 0x5a) {
        this.#status = String.fromCharCode(answer[offset + 5] as number) as TransactionStatus
      } else if (type === 0x41) {
        kept ??= []
        kept.push(answer.subarray(from, offset))
        from = offset + size
      }
      offset += size
    }
    if (kept === undefined) this.#socket.write(answer)
    else {
      kept.push(answer.subarray(from))
      this.#socket.write(Buffer.concat(kept))
    }
  }

  async #listen(action: 'listen' | 'unlisten', channel: string): Promise<void> {
    const { session } = this.#options
    const run = async (sql: string) => session.run(sql)
    try {
      if (action === 'listen') await session.hub.add(channel, this.#subscriber, run)
      else await session.hub.remove(channel, this.#subscriber, run)
      this.#socket.write(
        Buffer.concat([commandComplete(action.toUpperCase()), readyForQuery(this.#status)]),
      )
    } catch (error) {
      this.#socket.write(
        Buffer.concat([
          errorResponse('ERROR', '42000', (error as Error).message),
          readyForQuery(this.#status),
        ]),
      )
    }
  }

  /** A copy of the database for the client, with its progress as notices (`progress <done> <total>`). */
  async #backup(file: string): Promise<void> {
    // A copy takes as long as it takes: the turn limit is for transactions.
    clearTimeout(this.#timer)
    let told = -1
    try {
      const result = await this.#options.session.backup(file, (done, total) => {
        const percent = total === 0 ? 100 : Math.floor((done / total) * 100)
        if (percent === told) return
        told = percent
        this.#socket.write(noticeResponse(`progress ${done} ${total}`))
      })
      this.#socket.write(
        Buffer.concat([
          commandComplete(`BACKUP ${result.bytes} ${result.files}`),
          readyForQuery(this.#status),
        ]),
      )
    } catch (error) {
      this.#socket.write(
        Buffer.concat([
          errorResponse('ERROR', '58000', `the backup failed: ${(error as Error).message}`),
          readyForQuery(this.#status),
        ]),
      )
    }
  }

  async #beginTurn(): Promise<void> {
    this.#release = await this.#options.session.acquire()
    this.#timer = setTimeout(
      () => this.#enqueue(() => this.#expire()),
      this.#options.turnLimitMs,
    ).unref()
    if (this.#settings.length > 0) {
      // set_config reads a value as the configuration file does (a list stays a list).
      const assignments = this.#settings.map(
        ([name, value]) => `set_config(${literal(name)}, ${literal(value)}, false)`,
      )
      this.#options.session.run(`SELECT ${assignments.join(', ')}`)
    }
  }

  #endTurn(): void {
    if (this.#release === undefined) return
    clearTimeout(this.#timer)
    const { session } = this.#options
    const release = this.#release
    this.#release = undefined
    try {
      if (this.#resets.has('settings')) {
        // The client changed its settings: they are its own from now on, applied at each of its
        // turns as its start-up settings are (and its start-up settings are among them).
        this.#settings = session
          .rows(`SELECT name, setting FROM pg_settings WHERE source = 'session' ORDER BY name`)
          .map(([name, value]) => [name as string, value ?? ''])
      }
      const statements = this.#resets.has('settings')
        ? ['RESET ALL']
        : this.#settings.map(([name]) => `RESET ${identifier(name)}`)
      if (this.#resets.has('temporary')) statements.push('DISCARD TEMP')
      this.#resets.clear()
      if (statements.length > 0) session.run(statements.join('; '))
    } finally {
      release()
    }
  }

  /**
   * The turn ran past its limit: the host rolls the client's transaction back and gives the
   * session to the others. The connection stays; its next statements fail with the reason until it
   * ends its transaction (a COMMIT fails too, so no caller takes the rollback for a commit).
   */
  async #expire(): Promise<void> {
    if (this.#release === undefined || this.#closed) return
    const { session } = this.#options
    if (session.inTransaction) session.run('ROLLBACK')
    const seconds = this.#options.turnLimitMs / 1000
    this.#expired =
      `the transaction held the shared embedded database for more than ${seconds} s and was ` +
      'rolled back: every other process waits while one transaction runs. Keep transactions ' +
      'short, or use a Postgres server (DATABASE_URL).'
    this.#status = 'E'
    this.#syncOwed = false
    this.#skipping = false
    this.#endTurn()
  }

  /** Answers for a transaction the host rolled back; returns the frames after it is ended. */
  #answerExpired(frames: Frame[]): Frame[] {
    const why = this.#expired as string
    const failed = () => errorResponse('ERROR', '25P03', why)
    for (const [i, frame] of frames.entries()) {
      if (frame.type === 'X') return frames.slice(i)
      if (frame.type === 'Q') {
        const sql = readCstring(frame.bytes, 5).text
        const ending = /^\s*(rollback|abort|commit|end)\b/i.exec(sql)?.[1]?.toLowerCase()
        if (ending === undefined) {
          this.#socket.write(Buffer.concat([failed(), readyForQuery('E')]))
          continue
        }
        this.#socket.write(
          Buffer.concat([
            ending === 'rollback' || ending === 'abort' ? commandComplete('ROLLBACK') : failed(),
            readyForQuery('I'),
          ]),
        )
        this.#expired = undefined
        this.#status = 'I'
        return frames.slice(i + 1)
      }
      if (frame.type === 'S') {
        this.#socket.write(readyForQuery('E'))
        this.#skipping = false
      } else if (!this.#skipping) {
        this.#socket.write(failed())
        this.#skipping = true
      }
    }
    return []
  }
}
