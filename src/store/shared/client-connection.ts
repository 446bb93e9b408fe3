import { randomInt } from 'node:crypto'
import type { Socket } from 'node:net'
import { quoteIdentifier, quoteLiteral } from '../sql-quote.ts'
import { ClientNames } from './client-names.ts'
import { answerExpired } from './expired-turn.ts'
import type { HostSession } from './host-session.ts'
import { MessageReader } from './message-reader.ts'
import type { Subscriber } from './notification-hub.ts'
import type { ListenStatement } from './session-rules.ts'
import {
  backupStatement,
  inspectStatement,
  listenStatements,
  MAY_SET,
  refusal,
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
 * COMMIT or ROLLBACK, with nobody else's statements inside it. A turn that outlives its limit is
 * rolled back under the client, which is told at its next statement. As a turn ends, what the
 * client left in the session is taken out (its settings kept for its next turns); when it goes,
 * whatever it left unfinished is aborted, as a server aborts a vanished client's work. Its
 * prepared statements and portals carry a prefix of their own so two clients' names never meet.
 */
export class ClientConnection {
  readonly #socket: Socket
  readonly #options: ConnectionOptions
  readonly #subscriber: Subscriber
  readonly #received = new MessageReader()
  #started = false
  #chain: Promise<void> = Promise.resolve()
  #release: (() => void) | undefined
  /** Counts turns, so a late timer cannot end a later turn. */
  #turn = 0
  #timer: NodeJS.Timeout | undefined
  #status: TransactionStatus = 'I'
  #syncOwed = false
  /** After a refused Parse: messages are dropped until Sync. */
  #skipping = false
  /** Why the host rolled the client's transaction back, until the client ends it. */
  #expired: string | undefined
  readonly #names: ClientNames
  #settings: [string, string][] = []
  /** This turn ran a statement that may have changed a setting: read them as it ends. */
  #maySet = false
  /** Hung up: nothing more is read or written. */
  #closed = false
  /** And what it left in the session is cleared. */
  #ended = false

  constructor(socket: Socket, options: ConnectionOptions) {
    this.#socket = socket
    this.#options = options
    this.#names = new ClientNames(`c${options.id}_`)
    this.#subscriber = (channel, payload) => {
      if (!this.#closed) this.#socket.write(notificationResponse(process.pid, channel, payload))
    }
    socket.on('data', (chunk: Buffer) => {
      this.#received.push(chunk)
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

  /** Hangs up and clears what the client left: unfinished work, statements, LISTENs. */
  async #end(fatal?: Buffer): Promise<void> {
    this.#hangUp(fatal)
    if (this.#ended) return
    this.#ended = true
    const { session } = this.#options
    const run = (sql: string) => session.run(sql)
    try {
      const listening = session.hub.channelsOf(this.#subscriber).length > 0
      if (this.#release === undefined && (this.#names.prepared.size > 0 || listening)) {
        await this.#beginTurn(false)
      }
      if (this.#release !== undefined) {
        try {
          if (!this.#idle()) await session.reset()
          for (const name of this.#names.prepared) {
            // A Parse that failed made no statement: nothing to deallocate.
            await run(`DEALLOCATE ${quoteIdentifier(name)}`).catch(() => {})
          }
          this.#names.prepared.clear()
        } finally {
          await session.hub.remove('*', this.#subscriber, run)
          await this.#endTurn()
        }
      }
    } catch (error) {
      this.#giveBack()
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
      const frames = this.#received.take(!this.#started)
      if (frames.length === 0) break
      if (this.#started) await this.#serve(frames)
      else await this.#startup(frames[0] as Frame)
    }
    if (this.#release !== undefined && this.#idle() && !this.#closed) await this.#endTurn()
  }

  /** No transaction open, no extended query under way, no error waiting for Sync. */
  #idle(): boolean {
    return this.#status === 'I' && !this.#syncOwed && !this.#skipping
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
    try {
      // Checked now; applied at each turn (a value the session refuses ends the connection then).
      this.#settings = startupSettings(startupParameters(frame))
    } catch (error) {
      await this.#end(errorResponse('FATAL', '22023', (error as Error).message))
      return
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
    let frames = all
    if (this.#expired !== undefined) {
      const state = { skipping: this.#skipping }
      const answered = answerExpired(all, this.#expired, state)
      this.#skipping = state.skipping
      if (answered.written.length > 0) this.#socket.write(Buffer.concat(answered.written))
      if (answered.ended) {
        this.#expired = undefined
        this.#status = 'I'
      }
      frames = answered.rest
    }
    if (frames.length === 0) return
    if (this.#release === undefined) await this.#beginTurn(true)
    // Hung up while it waited for the session: `#end` (next in line) gives it back.
    if (this.#closed) return
    let batch: Buffer[] = []
    const flush = async () => {
      if (batch.length > 0) await this.#exchange(Buffer.concat(batch))
      batch = []
    }
    for (const frame of frames) {
      if (frame.type === 'X') {
        await flush()
        await this.#end()
        return
      }
      if (this.#skipping && frame.type !== 'S') continue
      if (frame.type === 'Q') {
        const sql = readCstring(frame.bytes, 5).text
        const listens = listenStatements(sql)
        if (listens !== undefined && this.#status === 'I') {
          await flush()
          await this.#listen(listens)
          continue
        }
        const backupTo = backupStatement(sql)
        if (backupTo !== undefined && this.#status === 'I') {
          await flush()
          await this.#backup(backupTo)
          continue
        }
        this.#note(sql)
        const refused = inspectStatement(sql).refused
        // In its place a statement that fails with the reason, so PGlite itself answers with the
        // error and aborts a transaction it was part of, as a server's refusal would.
        batch.push(refused === undefined ? frame.bytes : simpleQuery(refusal(refused)))
        continue
      }
      if (frame.type === 'S') {
        this.#syncOwed = false
        this.#skipping = false
      } else if ('PBDCEH'.includes(frame.type)) this.#syncOwed = true
      if (frame.type === 'P') {
        const parse = this.#names.parse(frame)
        this.#note(parse.sql)
        const refused = inspectStatement(parse.sql).refused
        if (refused !== undefined) {
          // As a server does after an error in an extended query: the error now, nothing until
          // Sync. PGlite is made to fail too (a Bind to no statement), so what the same implicit
          // transaction did before is rolled back at Sync rather than committed.
          await flush()
          this.#socket.write(errorResponse('ERROR', '0A000', refused))
          await this.#options.session.exchange(
            message('B', Buffer.concat([cstring(''), cstring('fte_refused'), Buffer.alloc(6)])),
          )
          this.#skipping = true
          continue
        }
        batch.push(parse.bytes)
        continue
      }
      batch.push(this.#names.rename(frame))
    }
    await flush()
  }

  /** Notes a statement that may change a setting (SET, RESET, set_config, a DO block, a call). */
  #note(sql: string): void {
    if (!this.#maySet && MAY_SET.test(sql)) this.#maySet = true
  }

  /** Runs messages on the session and forwards its answer (its notifications go to the hub). */
  async #exchange(bytes: Buffer): Promise<void> {
    const answer = await this.#options.session.exchange(bytes)
    if (answer.status !== undefined) this.#status = answer.status
    if (!this.#closed) this.#socket.write(answer.bytes)
  }

  /** LISTENs and UNLISTENs, answered as a server would: a tag each, then ReadyForQuery. */
  async #listen(statements: ListenStatement[]): Promise<void> {
    const { session } = this.#options
    const run = (sql: string) => session.run(sql)
    const answer: Buffer[] = []
    try {
      for (const { action, channel } of statements) {
        if (action === 'listen') await session.hub.add(channel, this.#subscriber, run)
        else await session.hub.remove(channel, this.#subscriber, run)
        answer.push(commandComplete(action.toUpperCase()))
      }
    } catch (error) {
      answer.push(errorResponse('ERROR', '42000', (error as Error).message))
    }
    answer.push(readyForQuery(this.#status))
    this.#socket.write(Buffer.concat(answer))
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

  /** Takes the session for a turn; `timed`: bounded by the turn limit (a clean-up is not). */
  async #beginTurn(timed: boolean): Promise<void> {
    this.#release = await this.#options.session.acquire()
    const turn = ++this.#turn
    if (timed) {
      this.#timer = setTimeout(
        () => this.#enqueue(() => this.#expire(turn)),
        this.#options.turnLimitMs,
      ).unref()
    }
    if (this.#settings.length > 0) {
      // set_config reads a value as the configuration file does (a list stays a list).
      const assignments = this.#settings.map(
        ([name, value]) => `set_config(${quoteLiteral(name)}, ${quoteLiteral(value)}, false)`,
      )
      await this.#options.session.run(`SELECT ${assignments.join(', ')}`)
    }
  }

  /** Ends the turn: what it left in the session taken out (its settings kept as the client's). */
  async #endTurn(): Promise<void> {
    if (this.#release === undefined) return
    clearTimeout(this.#timer)
    try {
      const settings = await this.#options.session.clearAfterTurn(this.#maySet)
      if (settings !== undefined) this.#settings = settings
    } finally {
      this.#maySet = false
      this.#giveBack()
    }
  }

  #giveBack(): void {
    clearTimeout(this.#timer)
    const release = this.#release
    this.#release = undefined
    release?.()
  }

  /**
   * The turn ran past its limit: the host rolls the client's work back and gives the session to
   * the others. The connection stays; its next statements fail with the reason until it ends its
   * transaction (a COMMIT fails too, so no caller takes the rollback for a commit).
   */
  async #expire(turn: number): Promise<void> {
    if (this.#release === undefined || this.#closed || turn !== this.#turn) return
    await this.#options.session.reset()
    const seconds = this.#options.turnLimitMs / 1000
    this.#expired =
      `the transaction held the shared embedded database for more than ${seconds} s and was ` +
      'rolled back: every other process waits while one transaction runs. Keep transactions ' +
      'short, or use a Postgres server (DATABASE_URL).'
    this.#status = 'E'
    this.#syncOwed = false
    this.#skipping = false
    await this.#endTurn()
  }
}
