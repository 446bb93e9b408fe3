import { afterEach, beforeEach, expect, it } from 'vitest'
import {
  describeEachDatabase,
  migrateCore,
  type TestDatabase,
} from '../../test/support/test-databases.ts'
import { createLogger } from '../lib/logger.ts'
import { type Change, ChangeFeed } from './change-feed.ts'
import { openPostgres } from './postgres-database.ts'

const silent = createLogger({ level: 'silent' })

/** Waits until `ready` holds, polling; fails naming what it waited for. */
async function until(ready: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describeEachDatabase('the change feed', (target) => {
  let db: TestDatabase
  let feed: ChangeFeed
  beforeEach(async () => {
    db = await target.open('empty')
    await migrateCore(db)
    feed = new ChangeFeed(db, silent)
    await feed.start()
  })
  afterEach(async () => {
    await feed.close()
    await db.close()
  })

  const change = (scope: string, kind: string) =>
    db.query(`SELECT fte_change($1, $2, '{}'::jsonb)`, [scope, kind])

  it('delivers each change of a scope once, in order, and nothing of other scopes', async () => {
    const seen: Change[] = []
    const stop = await feed.subscribe('inbox', undefined, {
      change: (c) => seen.push(c),
      reset: () => seen.push({ seq: -1 } as Change),
    })
    await change('inbox', 'one')
    await change('conversation:x', 'elsewhere')
    await change('inbox', 'two')
    await until(() => seen.length === 2, 'two inbox changes')
    expect(seen.map((c) => c.kind)).toEqual(['one', 'two'])
    expect(seen[1]?.seq).toBeGreaterThan(seen[0]?.seq ?? 0)
    stop()
  })

  it('resumes after the last change seen, and says reset to a resume point it cannot serve', async () => {
    await change('inbox', 'a')
    await change('inbox', 'b')
    await change('inbox', 'c')
    const { rows } = await db.query<{ seq: string }>(
      `SELECT seq FROM change_events WHERE kind = 'a'`,
    )
    const afterA = Number(rows[0]?.seq)
    const resumed: string[] = []
    const stop = await feed.subscribe('inbox', afterA, {
      change: (c) => resumed.push(c.kind),
      reset: () => resumed.push('reset'),
    })
    expect(resumed).toEqual(['b', 'c'])
    stop()
    const future: string[] = []
    const stopFuture = await feed.subscribe('inbox', afterA + 1_000_000, {
      change: (c) => future.push(c.kind),
      reset: () => future.push('reset'),
    })
    expect(future).toEqual(['reset'])
    await change('inbox', 'd')
    await until(() => future.length === 2, 'the next change after a reset')
    expect(future).toEqual(['reset', 'd'])
    stopFuture()
  })

  // An embedded database runs one transaction at a time: there, no two can interleave.
  it.runIf(target.name === 'postgres')(
    'numbers changes in commit order: one committed after another that began first comes after it',
    async () => {
      const seen: string[] = []
      const stop = await feed.subscribe('inbox', undefined, {
        change: (c) => seen.push(c.kind),
        reset: () => seen.push('reset'),
      })
      let releaseFirst: () => void = () => {}
      const firstHolds = new Promise<void>((resolve) => {
        releaseFirst = resolve
      })
      let firstWrote: () => void = () => {}
      const firstWritten = new Promise<void>((resolve) => {
        firstWrote = resolve
      })
      const first = db.transaction(async (tx) => {
        await tx.query(`SELECT fte_change('inbox', 'first', '{}'::jsonb)`)
        firstWrote()
        await firstHolds
      })
      await firstWritten
      // The second waits for the first's counter row: it cannot take a number and commit before it.
      const second = change('inbox', 'second')
      await new Promise((resolve) => setTimeout(resolve, 100))
      releaseFirst()
      await first
      await second
      await until(() => seen.length === 2, 'both changes')
      expect(seen).toEqual(['first', 'second'])
      stop()
    },
  )

  // An embedded database is one process's: replicas share a Postgres server.
  it.runIf(target.name === 'postgres')(
    'reaches a feed on another connection of the same database (another replica)',
    async () => {
      const other = await openPostgres({ url: db.url ?? '', poolMax: 2 })
      const replica = new ChangeFeed(other, silent)
      await replica.start()
      try {
        const seen: string[] = []
        const stop = await replica.subscribe('inbox', undefined, {
          change: (c) => seen.push(c.kind),
          reset: () => seen.push('reset'),
        })
        await change('inbox', 'decided_elsewhere')
        await until(() => seen.length === 1, 'the change on the other replica')
        expect(seen).toEqual(['decided_elsewhere'])
        stop()
      } finally {
        await replica.close()
        await other.close()
      }
    },
  )
})
