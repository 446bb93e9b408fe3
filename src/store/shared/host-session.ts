import type { PGlite } from '@electric-sql/pglite'
import type { BackupResult } from '../database.ts'
import { type BackupProgress, writeBackup } from '../folder-backup.ts'
import { NotificationHub } from './notification-hub.ts'
import {
  cstring,
  errorFields,
  message,
  parameterStatus,
  readCstring,
  simpleQuery,
  type TransactionStatus,
  takeFrames,
} from './wire.ts'

/** What an exchange answered, with the notifications taken out (they are the hub's). */
export interface Answer {
  bytes: Buffer
  /** The transaction status of the last ReadyForQuery, if one came. */
  status: TransactionStatus | undefined
}

/**
 * PGlite's one session, as the host lends it out: to a client's turn (a transaction, or a statement
 * outside one) or to the host's own statements, never to two at once.
 *
 * A turn holds PGlite's transaction lock, the one its own `query`, `exec` and `transaction` take, so
 * the host's statements wait for a client's transaction to end and the other way round. Inside a
 * turn, client bytes go to PGlite as they are and its answer comes back whole, unparsed: PGlite
 * would otherwise keep every answer it parsed until the host's next statement. The host hands the
 * notifications in it to the hub itself; PGlite reports those of its own statements.
 */
export class HostSession {
  readonly hub = new NotificationHub()
  /** The ParameterStatus messages a client receives at start-up, as a server sends them. */
  readonly startupStatus: Buffer
  /** The data folder, when the database has one (and so can be backed up). */
  readonly dataDir: string | undefined
  readonly #pg: PGlite
  /** Why PGlite stopped working, once it has: every turn is refused from then on. */
  #broken: Error | undefined

  private constructor(pg: PGlite, startupStatus: Buffer, dataDir: string | undefined) {
    this.#pg = pg
    this.startupStatus = startupStatus
    this.dataDir = dataDir
    pg.onNotification((channel, payload) => this.hub.dispatch(channel, payload))
  }

  static async open(pg: PGlite, dataDir?: string): Promise<HostSession> {
    const { rows } = await pg.query<{ name: string; setting: string }>(
      `SELECT name, current_setting(name) AS setting FROM pg_settings
        WHERE lower(name) = ANY($1) ORDER BY name`,
      [REPORTED],
    )
    const user = (await pg.query<{ user: string }>('SELECT session_user AS user')).rows[0]?.user
    const status = Buffer.concat([
      ...rows.map((row) => parameterStatus(row.name, row.setting)),
      parameterStatus('is_superuser', 'on'),
      parameterStatus('session_authorization', user ?? 'postgres'),
    ])
    return new HostSession(pg, status, dataDir)
  }

  get broken(): Error | undefined {
    return this.#broken
  }

  /** Waits for the session, and holds it until the returned function is called. */
  acquire(): Promise<() => void> {
    if (this.#broken !== undefined) return Promise.reject(this.#broken)
    return new Promise((acquired, failed) => {
      this.#pg
        ._runExclusiveTransaction(() => new Promise<void>((release) => acquired(release)))
        .catch(failed)
    })
  }

  /** Sends protocol messages to the session and returns its answer. Inside a turn. */
  async exchange(bytes: Uint8Array): Promise<Answer> {
    if (this.#broken !== undefined) throw this.#broken
    const chunks: Buffer[] = []
    try {
      await this.#pg.execProtocolRawStream(bytes, {
        syncToFs: false,
        // A view of PGlite's memory, reused for the next chunk: copied.
        onRawData: (data) => chunks.push(Buffer.from(data)),
      })
    } catch (error) {
      // PGlite has aborted (its wasm exited): nothing it says can be trusted from now on.
      this.#broken = new Error(
        `the embedded database stopped working in the process that holds it (${(error as Error).message}); that process must be restarted`,
      )
      throw this.#broken
    }
    return this.#deliver(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks))
  }

  /** Takes the notifications out of an answer and hands them to the hub; notes the last status. */
  #deliver(answer: Buffer): Answer {
    let status: TransactionStatus | undefined
    let kept: Buffer[] | undefined
    const heard: [string, string][] = []
    let from = 0
    let offset = 0
    while (offset + 5 <= answer.length) {
      const type = answer[offset]
      const size = answer.readInt32BE(offset + 1) + 1
      if (type === 0x5a)
        status = String.fromCharCode(answer[offset + 5] as number) as TransactionStatus
      else if (type === 0x41) {
        const channel = readCstring(answer, offset + 9)
        heard.push([channel.text, readCstring(answer, channel.next).text])
        kept ??= []
        kept.push(answer.subarray(from, offset))
        from = offset + size
      }
      offset += size
    }
    // After the answer is written: a listener on the same connection hears it after its reply.
    if (heard.length > 0) {
      setImmediate(() => {
        for (const [channel, payload] of heard) this.hub.dispatch(channel, payload)
      })
    }
    if (kept === undefined) return { bytes: answer, status }
    kept.push(answer.subarray(from))
    return { bytes: Buffer.concat(kept), status }
  }

  /** Runs statements outside any turn (taking the session for them). */
  async runAlone(sql: string): Promise<void> {
    const release = await this.acquire()
    try {
      await this.run(sql)
    } finally {
      release()
    }
  }

  /** Runs statements with no result inside a turn; throws the first error they raise. */
  async run(sql: string): Promise<void> {
    await this.rows(sql)
  }

  /** The rows of the last statement of a simple query, as text, inside a turn. */
  async rows(sql: string): Promise<(string | null)[][]> {
    const { frames } = takeFrames((await this.exchange(simpleQuery(sql))).bytes, false)
    let rows: (string | null)[][] = []
    for (const frame of frames) {
      if (frame.type === 'E') {
        const fields = errorFields(frame.bytes)
        throw Object.assign(new Error(fields.get('M') ?? 'statement failed'), {
          code: fields.get('C'),
        })
      }
      if (frame.type === 'T') rows = []
      if (frame.type !== 'D') continue
      const row: (string | null)[] = []
      let offset = 7
      for (let column = frame.bytes.readInt16BE(5); column > 0; column--) {
        const length = frame.bytes.readInt32BE(offset)
        offset += 4
        row.push(length < 0 ? null : frame.bytes.toString('utf8', offset, offset + length))
        offset += Math.max(length, 0)
      }
      rows.push(row)
    }
    return rows
  }

  /**
   * Brings the session back to idle whatever a client left in it: an extended query with no Sync
   * yet (aborted, never committed, as a server aborts a vanished client's), an error waiting for
   * Sync, an open or failed transaction (rolled back). Inside a turn.
   */
  async reset(): Promise<void> {
    // Bind to a statement that cannot exist fails: the implicit transaction of an unfinished
    // extended query is aborted, and Sync ends it (or an error already pending swallows both).
    const abort = message('B', Buffer.concat([cstring(''), cstring(NOWHERE), Buffer.alloc(6)]))
    let { status } = await this.exchange(Buffer.concat([abort, message('S')]))
    if (status !== 'I') status = (await this.exchange(simpleQuery('ROLLBACK'))).status
    if (status !== 'I') throw new Error(`the session could not be brought back to idle (${status})`)
  }

  /**
   * Takes out what a client's turn left in the session as it ends: every setting (RESET ALL), a
   * role, temporary tables. Unconditional, and cheap (about 15 µs): nothing can leak, whatever
   * ran (a DO block, a function). With `capture`, the client's settings are read first and
   * returned, to be applied again at its next turn: a client's SET stays its own. Reading them
   * costs near a millisecond (all of pg_settings), so it is done only when the turn's statements
   * may have set something. Inside a turn.
   */
  async clearAfterTurn(capture: boolean): Promise<[string, string][] | undefined> {
    const settings = capture
      ? (await this.rows(`SELECT name, setting FROM pg_settings WHERE source = 'session'`)).map(
          ([name, setting]) => [name ?? '', setting ?? ''] as [string, string],
        )
      : undefined
    await this.run('RESET ALL; RESET SESSION AUTHORIZATION; RESET ROLE; DISCARD TEMP')
    return settings
  }

  /**
   * Copies the data folder to `file` inside a turn: after a CHECKPOINT every page is on disk, and
   * with the session held nothing writes until the copy is done.
   */
  async backup(file: string, progress?: BackupProgress): Promise<BackupResult> {
    if (this.dataDir === undefined)
      throw new Error('an in-memory database has no folder to back up')
    await this.run('CHECKPOINT')
    return writeBackup(this.dataDir, file, progress)
  }

  get inTransaction(): boolean {
    return this.#pg.isInTransaction()
  }
}

/** A statement name no client can have made (theirs all carry a prefix). */
const NOWHERE = 'fte_no_such_statement'

const REPORTED = [
  'server_version',
  'server_encoding',
  'client_encoding',
  'datestyle',
  'intervalstyle',
  'timezone',
  'integer_datetimes',
  'standard_conforming_strings',
]
