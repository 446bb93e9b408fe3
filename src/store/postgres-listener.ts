import pg from 'pg'
import { assertChannel, type Notifications } from './database.ts'

/** A lost listening connection is tried again after this, doubling up to the cap. */
const RETRY_MS = { first: 100, cap: 5_000 }
/** An idle connection whose peer vanished (a half-open TCP link) is noticed by this ping. */
const PING_MS = 30_000

/**
 * LISTEN on Postgres, for every channel of one database, over one connection of its own: never a
 * pooled one (a pool hands a connection back after each query, and a transaction-mode pooler in
 * front of the server cannot carry LISTEN at all), and never one that runs other statements
 * (notifications wait while it is busy). A lost connection is made again, its channels listened
 * to again, and each listener told of the gap; with no listener left it is closed.
 */
export class PostgresListener {
  readonly #config: pg.ClientConfig
  readonly #onError: (error: Error) => void
  readonly #channels = new Map<string, Set<Notifications>>()
  #client: pg.Client | undefined
  #connecting: Promise<pg.Client> | undefined
  #retry: NodeJS.Timeout | undefined
  #ping: NodeJS.Timeout | undefined
  #delayMs = RETRY_MS.first
  #closed = false

  constructor(config: pg.ClientConfig, onError: (error: Error) => void = () => {}) {
    this.#config = { ...config, keepAlive: true }
    this.#onError = onError
  }

  async listen(channel: string, on: Notifications): Promise<() => Promise<void>> {
    assertChannel(channel)
    if (this.#closed) throw new Error('the database is closed')
    let listeners = this.#channels.get(channel)
    const first = listeners === undefined
    if (listeners === undefined) {
      listeners = new Set()
      this.#channels.set(channel, listeners)
    }
    listeners.add(on)
    try {
      const client = await this.#connected()
      if (first) await client.query(`LISTEN ${channel}`)
    } catch (error) {
      await this.#forget(channel, on)
      throw error
    }
    return () => this.#forget(channel, on)
  }

  async close(): Promise<void> {
    this.#closed = true
    this.#channels.clear()
    await this.#end()
  }

  async #forget(channel: string, on: Notifications): Promise<void> {
    const listeners = this.#channels.get(channel)
    if (listeners === undefined || !listeners.delete(on) || listeners.size > 0) return
    this.#channels.delete(channel)
    if (this.#channels.size === 0) await this.#end()
    else await this.#client?.query(`UNLISTEN ${channel}`).catch(() => {})
  }

  /** The listening connection, made (with every channel listened to) when there is none. */
  #connected(): Promise<pg.Client> {
    if (this.#client !== undefined) return Promise.resolve(this.#client)
    this.#connecting ??= this.#connect().finally(() => {
      this.#connecting = undefined
    })
    return this.#connecting
  }

  async #connect(): Promise<pg.Client> {
    const client = new pg.Client(this.#config)
    const lost = (error?: Error) => this.#lost(client, error)
    client.on('notification', (message) => {
      for (const on of this.#channels.get(message.channel) ?? []) on.payload(message.payload ?? '')
    })
    // 'error' can come twice for one loss, then 'end': #lost acts once per client.
    client.on('error', lost)
    client.on('end', () => lost())
    await client.connect()
    for (const channel of this.#channels.keys()) await client.query(`LISTEN ${channel}`)
    if (this.#closed) {
      await client.end().catch(() => {})
      throw new Error('the database is closed')
    }
    this.#client = client
    this.#ping = setInterval(() => client.query('SELECT 1').catch(lost), PING_MS)
    this.#ping.unref()
    return client
  }

  #lost(client: pg.Client, error?: Error): void {
    if (this.#client !== client) return
    this.#client = undefined
    clearInterval(this.#ping)
    client.end().catch(() => {})
    if (error !== undefined) this.#onError(error)
    this.#reconnect()
  }

  /** Tries again, later and later, while anyone listens; tells every listener of the gap once back. */
  #reconnect(): void {
    if (this.#closed || this.#channels.size === 0 || this.#retry !== undefined) return
    this.#retry = setTimeout(() => {
      this.#retry = undefined
      this.#connected().then(
        () => {
          this.#delayMs = RETRY_MS.first
          for (const listeners of this.#channels.values()) {
            for (const on of listeners) on.gap?.()
          }
        },
        (error: Error) => {
          this.#onError(error)
          this.#delayMs = Math.min(this.#delayMs * 2, RETRY_MS.cap)
          this.#reconnect()
        },
      )
    }, this.#delayMs)
    this.#retry.unref()
  }

  async #end(): Promise<void> {
    clearTimeout(this.#retry)
    this.#retry = undefined
    clearInterval(this.#ping)
    const client = this.#client
    this.#client = undefined
    await client?.end().catch(() => {})
  }
}
