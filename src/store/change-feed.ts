import type { JsonObject } from '../lib/json.ts'
import type { Logger } from '../lib/logger.ts'
import type { Database } from './database.ts'

/** One row of `change_events`: something new in a scope ('inbox', 'conversation:<id>'). */
export interface Change {
  seq: number
  scope: string
  kind: string
  data: JsonObject
  createdAt: Date
}

export interface FeedSubscriber {
  /** Called in `seq` order, each change once. */
  change(change: Change): void
  /** The resume point is gone (pruned, or from another database): re-read everything. */
  reset(): void
  /** The feed closed (the server is stopping): nothing more will come. */
  end?(): void
}

interface Subscription {
  scope: string
  subscriber: FeedSubscriber
  delivered: number
  /** Changes that arrived while the subscription caught up. */
  buffer: Change[] | undefined
}

const POLL_MS = 1000
const BATCH = 500

/**
 * The change feed of this process: one LISTEN on `fte_changes` (triggers write `change_events` and
 * notify, see migration 011), one read of the new rows per wake-up, fanned out to the pages that
 * follow each scope. Numbers are handed out in commit order, so reading "after the last one seen"
 * never skips one. A poll of the head every second backs the notifications up: an embedded
 * database shared with other processes does not pass their NOTIFY on, and a pooler in transaction
 * mode does not LISTEN.
 */
export class ChangeFeed {
  private readonly db: Database
  private readonly logger: Logger
  private readonly subscriptions = new Set<Subscription>()
  private seen = 0
  private reading: Promise<void> | undefined
  private again = false
  private stopListening: (() => Promise<void>) | undefined
  private timer: NodeJS.Timeout | undefined

  constructor(db: Database, logger: Logger) {
    this.db = db
    this.logger = logger
  }

  async start(): Promise<void> {
    this.seen = await this.head()
    try {
      this.stopListening = await this.db.listen('fte_changes', {
        payload: () => this.wake(),
        gap: () => this.wake(),
      })
    } catch (error) {
      this.logger.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'LISTEN is not available: live updates fall back to polling once a second',
      )
    }
    this.timer = setInterval(() => this.wake(), POLL_MS)
    this.timer.unref()
  }

  async close(): Promise<void> {
    clearInterval(this.timer)
    await this.stopListening?.()
    await this.reading
    for (const subscription of this.subscriptions) subscription.subscriber.end?.()
    this.subscriptions.clear()
  }

  /** The newest change's number (0 when there is none). */
  async head(): Promise<number> {
    const { rows } = await this.db.query<{ seq: string }>('SELECT seq FROM change_feed_head')
    return Number(rows[0]?.seq ?? 0)
  }

  /**
   * Follows `scope` from after `after` (undefined: from now). A resume point older than what is
   * kept, or newer than the head, gets `reset` first. Resolves once caught up, with the function
   * that stops following.
   */
  async subscribe(
    scope: string,
    after: number | undefined,
    subscriber: FeedSubscriber,
  ): Promise<() => void> {
    const subscription: Subscription = {
      scope,
      subscriber,
      delivered: after ?? this.seen,
      buffer: [],
    }
    this.subscriptions.add(subscription)
    const unsubscribe = () => {
      this.subscriptions.delete(subscription)
    }
    try {
      if (after !== undefined) {
        const { rows } = await this.db.query<{ oldest: string | null; head: string }>(
          `SELECT (SELECT min(seq) FROM change_events) AS oldest,
                  (SELECT seq FROM change_feed_head) AS head`,
        )
        const oldest = rows[0]?.oldest == null ? undefined : Number(rows[0].oldest)
        const head = Number(rows[0]?.head ?? 0)
        if (after > head || (oldest !== undefined && after < oldest - 1)) {
          subscriber.reset()
          subscription.delivered = head
        } else {
          const { rows: missed } = await this.db.query<ChangeRow>(
            `SELECT seq, scope, kind, data, created_at FROM change_events
             WHERE scope = $1 AND seq > $2 ORDER BY seq LIMIT ${BATCH}`,
            [scope, after],
          )
          for (const row of missed) this.deliver(subscription, toChange(row))
          if (missed.length === BATCH) {
            subscriber.reset()
            subscription.delivered = head
          }
        }
      }
    } finally {
      const buffered = subscription.buffer ?? []
      subscription.buffer = undefined
      for (const change of buffered) this.deliver(subscription, change)
    }
    return unsubscribe
  }

  private deliver(subscription: Subscription, change: Change): void {
    if (change.seq <= subscription.delivered) return
    subscription.delivered = change.seq
    try {
      subscription.subscriber.change(change)
    } catch (error) {
      this.logger.warn({ err: String(error) }, 'a change feed subscriber failed')
    }
  }

  /** Reads what is new, once at a time; a wake-up during a read reads again after it. */
  private wake(): void {
    if (this.reading !== undefined) {
      this.again = true
      return
    }
    this.reading = this.readNew()
      .catch((error: unknown) => {
        this.logger.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'the change feed could not be read',
        )
      })
      .finally(() => {
        this.reading = undefined
        if (this.again) {
          this.again = false
          this.wake()
        }
      })
  }

  private async readNew(): Promise<void> {
    // Every change is read, followed or not: jumping to the head would skip one that a page
    // subscribing meanwhile must get.
    for (;;) {
      const { rows } = await this.db.query<ChangeRow>(
        `SELECT seq, scope, kind, data, created_at FROM change_events
         WHERE seq > $1 ORDER BY seq LIMIT ${BATCH}`,
        [this.seen],
      )
      for (const row of rows) {
        const change = toChange(row)
        this.seen = change.seq
        for (const subscription of this.subscriptions) {
          if (subscription.scope !== change.scope) continue
          if (subscription.buffer !== undefined) subscription.buffer.push(change)
          else this.deliver(subscription, change)
        }
      }
      if (rows.length < BATCH) return
    }
  }
}

type ChangeRow = {
  seq: string
  scope: string
  kind: string
  data: JsonObject
  created_at: Date
}

function toChange(row: ChangeRow): Change {
  return {
    seq: Number(row.seq),
    scope: row.scope,
    kind: row.kind,
    data: row.data,
    createdAt: row.created_at,
  }
}
