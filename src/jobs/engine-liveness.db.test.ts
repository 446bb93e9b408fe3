import { afterEach, beforeEach, expect, it } from 'vitest'
import { describeEachJobDatabase } from '../../test/support/job-databases.ts'
import { createLogger } from '../lib/logger.ts'
import type { Database } from '../store/database.ts'
import { EngineLiveness } from './engine-liveness.ts'
import { enqueue, installQueue } from './job-queue.ts'

const silent = createLogger({ level: 'silent' })

describeEachJobDatabase('which job-running processes are alive', (target) => {
  let db: Database
  beforeEach(async () => {
    db = await target.open()
    await installQueue(db, silent)
  })
  afterEach(() => db.close())

  /** A job locked by `pool` a minute ago, as a process that took it then would leave it. */
  async function lockedBy(pool: string): Promise<number> {
    const id = await enqueue(db, { task: 'noop', payload: {}, maxAttempts: 3 })
    await db.query(
      `UPDATE graphile_worker._private_jobs SET locked_by = $2, locked_at = now() - interval '1 minute'
       WHERE id = $1`,
      [id, pool],
    )
    return id
  }

  const holder = async (id: number) =>
    (
      await db.query<{ locked_by: string | null }>(
        'SELECT locked_by FROM graphile_worker._private_jobs WHERE id = $1',
        [id],
      )
    ).rows[0]?.locked_by

  it('hands back the jobs of a silent process, and never its own, even when its own row was lost', async () => {
    const unlocked: string[][] = []
    const liveness = new EngineLiveness(db, {
      logger: silent,
      heartbeatMs: 60_000,
      staleAfterMs: 5_000,
      unlock: async (pools) => {
        unlocked.push(pools)
        await db.query('SELECT graphile_worker.force_unlock_workers($1::text[])', [pools])
      },
    })
    liveness.register('ours')
    const ours = await lockedBy('ours')
    const theirs = await lockedBy('dead')
    await db.query(
      `INSERT INTO job_runs (job_id, attempt, task, trigger) VALUES ($1, 1, 'noop', 'email'), ($2, 1, 'noop', 'email')`,
      [ours, theirs],
    )
    // Our row is gone (another process thought us dead during a long stall): the next beat
    // writes it again, and our long-running job stays ours.
    await db.query('DELETE FROM job_engines')
    await liveness.beat()
    expect(unlocked).toEqual([['dead']])
    expect(await holder(ours)).toBe('ours')
    expect(await holder(theirs)).toBeNull()
    // The dead process's run ended (its job runs again as a new attempt); ours runs on.
    const { rows: runs } = await db.query<{
      job_id: number
      status: string
      reason: string | null
    }>('SELECT job_id, status, reason FROM job_runs ORDER BY id')
    expect(runs).toEqual([
      { job_id: ours, status: 'running', reason: null },
      { job_id: theirs, status: 'failed', reason: 'process_died' },
    ])
    const { rows } = await db.query<{ pool_id: string }>('SELECT pool_id FROM job_engines')
    expect(rows).toEqual([{ pool_id: 'ours' }])
    await liveness.stop()
    expect((await db.query('SELECT pool_id FROM job_engines')).rows).toEqual([])
  })
})
