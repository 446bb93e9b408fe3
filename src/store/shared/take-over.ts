import type { Database, Notifications, PoolOptions } from '../database.ts'
import { holderGone } from './served-database.ts'

interface Subscription {
  channel: string
  on: Notifications
  stop: () => Promise<void>
}

/**
 * A database for a process that runs until stopped: when the process serving it the embedded
 * database goes away, it opens the folder again (taking it over, or reaching whoever took it over
 * first) and carries on.
 *
 * A statement that never reached the old holder (its socket refused the connection) runs again on
 * the new one. One that was under way when the holder went fails, as on any lost connection: it may
 * or may not have committed, and only its caller can tell whether running it again is safe.
 * Listeners move over, and are told they may have missed notifications in between (`gap`).
 */
export function takeOverWhenGone(
  first: Database,
  reopen: () => Promise<Database>,
  options: { notice?: (message: string) => void; onError?: (error: unknown) => void } = {},
): { database: Database; gone(db: Database): void } {
  /** Undefined between losing a holder and reaching the next (a failed reopen is tried again). */
  let current: Database | undefined = first
  let last: Database = first
  let replacing: Promise<void> | undefined
  let closed = false
  const subscriptions = new Set<Subscription>()

  const reopenNow = async () => {
    const next = await reopen()
    for (const subscription of subscriptions) {
      subscription.stop = await next.listen(subscription.channel, subscription.on)
      subscription.on.gap?.()
    }
    current = next
    last = next
    options.notice?.(
      `the process serving the embedded database went away; carrying on with ${next.description}`,
    )
  }

  /** Drops `failed` (if it is still the one in use) and opens the folder again. */
  const replace = (failed: Database | undefined): Promise<void> => {
    if (closed || (failed !== undefined && current !== failed))
      return replacing ?? Promise.resolve()
    replacing ??= (async () => {
      current = undefined
      await failed?.close().catch(() => {})
      await reopenNow()
    })().finally(() => {
      replacing = undefined
    })
    return replacing
  }

  /** The database in use, reopening it first if the last attempt failed. */
  const inUse = async (): Promise<Database> => {
    if (replacing !== undefined) await replacing.catch(() => {})
    if (current === undefined) await replace(undefined)
    return current as Database
  }

  const guarded = async <T>(call: (db: Database) => Promise<T>): Promise<T> => {
    const db = await inUse()
    try {
      return await call(db)
    } catch (error) {
      if (closed || !holderGone(error)) throw error
      await replace(db)
      if (neverSent(error)) return call(await inUse())
      throw error
    }
  }

  const over = (pick: (db: Database) => Database): Database => ({
    get kind() {
      return pick(current ?? last).kind
    },
    get description() {
      return pick(current ?? last).description
    },
    get holds() {
      return pick(current ?? last).holds
    },
    driverConfig: () => {
      const config = pick(current ?? last).driverConfig?.()
      if (config === undefined) throw new Error('this database cannot be reached by driver')
      return config
    },
    query: (sql, params) => guarded((db) => pick(db).query(sql, params)),
    exec: (sql) => guarded((db) => pick(db).exec(sql)),
    transaction: (work, transactionOptions) =>
      guarded((db) => pick(db).transaction(work, transactionOptions)),
    pool: (poolOptions: PoolOptions) => over((db) => pick(db).pool(poolOptions)),
    listen: async (channel, on) => {
      const subscription: Subscription = {
        channel,
        on,
        stop: await guarded((db) => db.listen(channel, on)),
      }
      subscriptions.add(subscription)
      return async () => {
        subscriptions.delete(subscription)
        await subscription.stop()
      }
    },
    close: async () => {
      closed = true
      await replacing?.catch(() => {})
      await current?.close()
    },
  })

  return {
    database: over((db) => db),
    // An idle connection dropped by a holder that went away: take over now, not at the next call
    // (unless that was the database this one replaced already).
    gone: (db) => {
      if (db === current) replace(db).catch((error: unknown) => options.onError?.(error))
    },
  }
}

/** The connection was refused: no statement reached the holder, so running it again is safe. */
function neverSent(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  const cause = (error as { cause?: unknown } | null)?.cause
  return code === 'ECONNREFUSED' || code === 'ENOENT' || (cause !== undefined && neverSent(cause))
}
