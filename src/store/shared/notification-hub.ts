import { quoteIdentifier } from '../sql-quote.ts'

/**
 * Who listens on which channel of the embedded database, in this process and in its clients'.
 *
 * Postgres delivers a NOTIFY to every session that listens; PGlite has one session, so the host
 * makes it LISTEN once per channel anyone follows and hands each notification out itself, as
 * PGlite reports it (`onNotification`: it parses every answer, the host's statements' and its
 * clients' alike).
 */

export type Subscriber = (channel: string, payload: string) => void

/** Runs one statement on the session: inside a client's turn, or on its own outside one. */
export type RunStatement = (sql: string) => Promise<void>

export class NotificationHub {
  readonly #channels = new Map<string, Set<Subscriber>>()

  /** Adds `subscriber` to `channel`, making the session LISTEN if it is the channel's first. */
  async add(channel: string, subscriber: Subscriber, run: RunStatement): Promise<void> {
    let subscribers = this.#channels.get(channel)
    if (subscribers === undefined) {
      subscribers = new Set()
      this.#channels.set(channel, subscribers)
      subscribers.add(subscriber)
      try {
        await run(`LISTEN ${quoteIdentifier(channel)}`)
      } catch (error) {
        // Those who joined while it was asked for share its failure.
        if (this.#channels.get(channel) === subscribers) this.#channels.delete(channel)
        throw error
      }
      return
    }
    subscribers.add(subscriber)
  }

  /** Removes `subscriber` from `channel` ('*': from every channel), UNLISTENing what nobody follows. */
  async remove(channel: string, subscriber: Subscriber, run: RunStatement): Promise<void> {
    const channels = channel === '*' ? [...this.#channels.keys()] : [channel]
    for (const name of channels) {
      const subscribers = this.#channels.get(name)
      if (subscribers === undefined || !subscribers.delete(subscriber)) continue
      if (subscribers.size === 0) {
        this.#channels.delete(name)
        await run(`UNLISTEN ${quoteIdentifier(name)}`)
      }
    }
  }

  /** The channels `subscriber` follows. */
  channelsOf(subscriber: Subscriber): string[] {
    return [...this.#channels].filter(([, set]) => set.has(subscriber)).map(([name]) => name)
  }

  dispatch(channel: string, payload: string): void {
    for (const subscriber of this.#channels.get(channel) ?? []) subscriber(channel, payload)
  }
}
