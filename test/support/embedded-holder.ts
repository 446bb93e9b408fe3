import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import pg from 'pg'
import { packageRoot } from '../../src/lib/package-root.ts'
import { readHolder } from '../../src/store/data-dir-lock.ts'

/**
 * A process of its own on an embedded data folder (test/support/hold-embedded.ts): the holder that
 * opened it first and serves it, or with `lasting` one that carries on when its holder goes.
 */
export class EmbeddedProcess {
  readonly #child: ChildProcessWithoutNullStreams
  readonly #lines: string[] = []
  readonly #waiters = new Set<() => void>()
  readonly exited: Promise<number | null>

  constructor(dataDir: string, options: { turnLimitMs?: number; lasting?: boolean } = {}) {
    const script = join(packageRoot(), 'test', 'support', 'hold-embedded.ts')
    this.#child = spawn(process.execPath, [
      script,
      dataDir,
      String(options.turnLimitMs ?? ''),
      ...(options.lasting === true ? ['lasting'] : []),
    ])
    this.exited = new Promise((done) => this.#child.once('exit', (code) => done(code)))
    createInterface({ input: this.#child.stdout }).on('line', (line) => {
      this.#lines.push(line)
      for (const wake of this.#waiters) wake()
    })
  }

  get pid(): number {
    return this.#child.pid as number
  }

  send(line: string): void {
    this.#child.stdin.write(`${line}\n`)
  }

  /** Sends `command` and resolves with the first line it prints after that, other than `heard …`. */
  async reply(command: string): Promise<string> {
    const from = this.#lines.length
    this.send(command)
    while (true) {
      const found = this.#lines.slice(from).find((line) => !line.startsWith('heard '))
      if (found !== undefined) return found
      if (this.#child.exitCode !== null) throw new Error(`it exited before answering ${command}`)
      await new Promise<void>((wake) => {
        this.#waiters.add(wake)
        void this.exited.then(() => wake())
      })
    }
  }

  /** The first line it printed (since it started) that starts with `prefix`, once it has. */
  async line(prefix: string): Promise<string> {
    while (true) {
      const found = this.#lines.find((line) => line.startsWith(prefix))
      if (found !== undefined) return found
      if (this.#child.exitCode !== null) {
        throw new Error(
          `it exited before printing ${prefix}; it printed ${this.#lines.join(' | ')}`,
        )
      }
      await new Promise<void>((wake) => {
        this.#waiters.add(wake)
        void this.exited.then(() => wake())
      })
    }
  }

  /** Stops it cleanly (`exit`), or at once after 5 s. */
  async stop(): Promise<void> {
    if (this.#child.exitCode === null) this.send('exit')
    await Promise.race([this.exited, new Promise((done) => setTimeout(done, 5000))])
    this.kill()
  }

  kill(): void {
    if (this.#child.exitCode === null) this.#child.kill('SIGKILL')
  }
}

/** A data folder in a temporary folder, and the connections a test opens to it. */
export class SharedStage {
  readonly #clients: pg.Client[] = []
  readonly #processes: EmbeddedProcess[] = []
  readonly #sockets: Socket[] = []

  readonly dir: string
  readonly dataDir: string

  private constructor(dir: string, dataDir: string) {
    this.dir = dir
    this.dataDir = dataDir
  }

  static async create(): Promise<SharedStage> {
    const dir = await mkdtemp(join(tmpdir(), 'fte-shared-'))
    return new SharedStage(dir, join(dir, 'data'))
  }

  /** Another process on the folder (the holder, if it is the first), ready. */
  async process(options: { turnLimitMs?: number; lasting?: boolean } = {}) {
    const started = new EmbeddedProcess(this.dataDir, options)
    this.#processes.push(started)
    await started.line('ready')
    return started
  }

  socketDir(): string {
    const socketDir = readHolder(this.dataDir)?.socketDir
    if (socketDir === undefined) throw new Error('nobody serves the folder')
    return socketDir
  }

  /** The ordinary driver, through the holder's socket. */
  async client(options: pg.ClientConfig = {}): Promise<pg.Client> {
    const connected = new pg.Client({ host: this.socketDir(), port: 5432, ...options })
    connected.on('error', () => {})
    await connected.connect()
    this.#clients.push(connected)
    return connected
  }

  /** The ids in the holder's table `t`. */
  async ids(): Promise<number[]> {
    const reader = await this.client()
    const { rows } = await reader.query<{ id: number }>('SELECT id FROM t ORDER BY id')
    return rows.map((row) => row.id)
  }

  /** A socket speaking the protocol by hand, started up: for what the driver never sends. */
  async raw(): Promise<RawConnection> {
    const socket = connect(join(this.socketDir(), '.s.PGSQL.5432'))
    this.#sockets.push(socket)
    await new Promise((done) => socket.once('connect', done))
    const raw = new RawConnection(socket)
    const startup = Buffer.concat([Buffer.alloc(8), Buffer.from('user\0fte\0\0')])
    startup.writeInt32BE(startup.length, 0)
    startup.writeInt32BE(196_608, 4)
    socket.write(startup)
    await raw.until('Z')
    return raw
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy()
    await Promise.all(this.#clients.splice(0).map((c) => c.end().catch(() => {})))
    await Promise.all(this.#processes.map((p) => p.stop()))
    await rm(this.dir, { recursive: true, force: true })
  }
}

/** Protocol messages written by hand, and the types of those that came back. */
export class RawConnection {
  #received = Buffer.alloc(0)
  readonly #wakers = new Set<() => void>()

  readonly socket: Socket

  constructor(socket: Socket) {
    this.socket = socket
    socket.on('data', (chunk: Buffer) => {
      this.#received = Buffer.concat([this.#received, chunk])
      for (const wake of this.#wakers) wake()
    })
  }

  send(...messages: Buffer[]): void {
    this.socket.write(Buffer.concat(messages))
  }

  /** The types of the messages received up to and including the first of `type`. */
  async until(type: string): Promise<string[]> {
    while (true) {
      const types: string[] = []
      let offset = 0
      while (offset + 5 <= this.#received.length) {
        const size = this.#received.readInt32BE(offset + 1) + 1
        if (offset + size > this.#received.length) break
        const got = String.fromCharCode(this.#received[offset] as number)
        types.push(got)
        offset += size
        if (got === type) {
          this.#received = this.#received.subarray(offset)
          return types
        }
      }
      await new Promise<void>((wake) => this.#wakers.add(wake))
    }
  }
}

/** One protocol message: type, then the body's fields. */
export function protocolMessage(type: string, ...fields: (string | Buffer)[]): Buffer {
  const body = Buffer.concat(
    fields.map((field) => (typeof field === 'string' ? Buffer.from(`${field}\0`) : field)),
  )
  const head = Buffer.alloc(5)
  head.write(type)
  head.writeInt32BE(body.length + 4, 1)
  return Buffer.concat([head, body])
}

/** Parse, Bind and Execute of `sql` with no parameters (no Sync). */
export function extendedQuery(sql: string): Buffer {
  return Buffer.concat([
    protocolMessage('P', '', sql, Buffer.alloc(2)),
    protocolMessage('B', '', '', Buffer.alloc(6)),
    protocolMessage('E', '', Buffer.alloc(4)),
  ])
}

/** Settles `promise` into a flag, so a test can see it has not finished yet. */
export function watch<T>(promise: Promise<T>): { promise: Promise<T>; done: () => boolean } {
  let settled = false
  const tracked = promise.finally(() => {
    settled = true
  })
  return { promise: tracked, done: () => settled }
}
