import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  databaseTargets,
  describeEachDatabase,
  type TestDatabase,
} from '../../test/support/test-databases.ts'
import type { Notifications } from './database.ts'

/** What a listener heard, and a way to wait for the next thing it hears. */
class Heard implements Notifications {
  readonly payloads: string[] = []
  gaps = 0
  #waiting: Array<() => void> = []

  payload(payload: string): void {
    this.payloads.push(payload)
    this.#wake()
  }

  gap(): void {
    this.gaps++
    this.#wake()
  }

  /** Resolves once `check` holds (checked now and on every notification or gap). */
  until(check: (heard: Heard) => boolean): Promise<void> {
    if (check(this)) return Promise.resolve()
    return new Promise((resolve) => {
      const again = () => (check(this) ? resolve() : this.#waiting.push(again))
      this.#waiting.push(again)
    })
  }

  #wake(): void {
    const waiting = this.#waiting
    this.#waiting = []
    for (const wake of waiting) wake()
  }
}

describeEachDatabase('LISTEN and NOTIFY', (target) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('empty')
  })
  afterEach(() => db.close())

  const notify = (payload: string) => db.query(`SELECT pg_notify('fte_test', $1)`, [payload])

  it('delivers at commit, in order, and nothing of a rolled-back transaction', async () => {
    const heard = new Heard()
    const stop = await db.listen('fte_test', heard)
    await notify('one')
    await db
      .transaction(async (tx) => {
        await tx.query(`SELECT pg_notify('fte_test', 'rolled back')`)
        throw new Error('no')
      })
      .catch(() => {})
    await db.transaction(async (tx) => {
      await tx.query(`SELECT pg_notify('fte_test', 'two')`)
      // Not before the commit: the transaction is still open here.
      expect(heard.payloads).not.toContain('two')
      await tx.query(`SELECT pg_notify('fte_test', 'three')`)
    })
    await notify('four')
    await heard.until((h) => h.payloads.length >= 4)
    expect(heard.payloads).toEqual(['one', 'two', 'three', 'four'])

    await stop()
    await notify('after')
    // A marker on another channel, heard after 'after' would have been: nothing came meanwhile.
    const marker = new Heard()
    await db.listen('fte_marker', marker)
    await db.query(`SELECT pg_notify('fte_marker', 'now')`)
    await marker.until((h) => h.payloads.length === 1)
    expect(heard.payloads).toEqual(['one', 'two', 'three', 'four'])
  })

  it('tells every listener of a channel, and keeps the others when one stops', async () => {
    const [a, b] = [new Heard(), new Heard()]
    const stopA = await db.listen('fte_test', a)
    await db.listen('fte_test', b)
    await notify('both')
    await a.until((h) => h.payloads.length === 1)
    await b.until((h) => h.payloads.length === 1)
    await stopA()
    await notify('b only')
    await b.until((h) => h.payloads.length === 2)
    expect([a.payloads, b.payloads]).toEqual([['both'], ['both', 'b only']])
  })

  it('refuses a channel that is not a lower-case name', async () => {
    for (const channel of ['Changes', 'fte-changes', 'x; DROP TABLE y', '']) {
      await expect(db.listen(channel, new Heard()), channel).rejects.toThrow(
        /lower-case letters, digits and _/,
      )
    }
  })
})

// Only a server connection can be lost: the embedded database listens in-process.
const postgres = databaseTargets.find((t) => t.name === 'postgres')
describe.skipIf(postgres?.available !== true)('LISTEN on Postgres [postgres]', () => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await (postgres as NonNullable<typeof postgres>).open('empty')
  })
  afterEach(() => db.close())

  it('comes back after losing its connection, tells of the gap, and hears again', async () => {
    const heard = new Heard()
    await db.listen('fte_test', heard)
    const { rows } = await db.query<{ ended: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
       WHERE datname = current_database() AND application_name LIKE '%(listener)'`,
    )
    expect(rows).toEqual([{ ended: true }])
    await heard.until((h) => h.gaps === 1)
    await db.query(`SELECT pg_notify('fte_test', 'back')`)
    await heard.until((h) => h.payloads.includes('back'))
    expect(heard.gaps).toBe(1)
  })
})
