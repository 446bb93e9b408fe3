import type { PGlite } from '@electric-sql/pglite'
import type { BackupResult } from '../database.ts'
import { type BackupProgress, writeBackup } from '../folder-backup.ts'
import { NotificationHub } from './notification-hub.ts'
import { refusalStatement } from './session-rules.ts'
import { errorFields, parameterStatus, simpleQuery, takeFrames } from './wire.ts'

/**
 * PGlite's one session, as the host lends it out: to a client's turn (a transaction, or a statement
 * outside one) or to the host's own statements, never to two at once.
 *
 * A turn holds PGlite's transaction lock, the one its own `query`, `exec` and `transaction` take, so
 * the host's statements wait for a client's transaction to end and the other way round. Inside a
 * turn, client bytes go to PGlite as they are and its answer comes back whole.
 */
export class HostSession {
  readonly hub = new NotificationHub()
  /** The ParameterStatus messages a client receives at start-up, as a server sends them. */
  readonly startupStatus: Buffer
  readonly #pg: PGlite

  /** The data folder, when the database has one (and so can be backed up). */
  readonly dataDir: string | undefined

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
    const status = Buffer.concat([
      ...rows.map((row) => parameterStatus(row.name, row.setting)),
      parameterStatus('is_superuser', 'on'),
      parameterStatus('session_authorization', 'postgres'),
    ])
    return new HostSession(pg, status, dataDir)
  }

  /** Waits for the session, and holds it until the returned function is called. */
  acquire(): Promise<() => void> {
    return new Promise((acquired, failed) => {
      this.#pg
        ._runExclusiveTransaction(() => new Promise<void>((release) => acquired(release)))
        .catch(failed)
    })
  }

  /** Sends protocol messages to the session and returns everything it answered. Holder only. */
  exchange(bytes: Uint8Array): Buffer {
    const out = this.#pg.execProtocolRawSync(bytes)
    return Buffer.from(out.buffer, out.byteOffset, out.byteLength)
  }

  /** Runs statements with no result inside a turn; throws the first error they raise. */
  run(sql: string): void {
    const { frames } = takeAll(this.exchange(simpleQuery(sql)))
    const error = frames.find((frame) => frame.type === 'E')
    if (error !== undefined) {
      const fields = errorFields(error.bytes)
      throw Object.assign(new Error(fields.get('M') ?? 'statement failed'), {
        code: fields.get('C'),
      })
    }
  }

  /** The rows of one query with no parameters, as text, inside a turn. */
  rows(sql: string): (string | null)[][] {
    const { frames } = takeAll(this.exchange(simpleQuery(sql)))
    const rows: (string | null)[][] = []
    for (const frame of frames) {
      if (frame.type === 'E') throw new Error(errorFields(frame.bytes).get('M') ?? 'query failed')
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
   * Copies the data folder to `file` inside a turn: after a CHECKPOINT every page is on disk, and
   * with the session held nothing writes until the copy is done.
   */
  async backup(file: string, progress?: BackupProgress): Promise<BackupResult> {
    if (this.dataDir === undefined)
      throw new Error('an in-memory database has no folder to back up')
    this.run('CHECKPOINT')
    return writeBackup(this.dataDir, file, progress)
  }

  /** Puts the open transaction into the failed state, as an error in it would. Inside a turn. */
  abortTransaction(): void {
    this.exchange(simpleQuery(refusalStatement('refused')))
  }

  /** Runs statements outside any turn (taking the session for them). */
  async runAlone(sql: string): Promise<void> {
    const release = await this.acquire()
    try {
      this.run(sql)
    } finally {
      release()
    }
  }

  get inTransaction(): boolean {
    return this.#pg.isInTransaction()
  }
}

/** Every message of a whole answer. */
export function takeAll(bytes: Buffer) {
  return takeFrames(bytes, false)
}

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
