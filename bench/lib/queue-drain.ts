import pg from 'pg'
import type { Queryable } from '../../src/store/database.ts'
import { median } from './measure.ts'

/** The benchmark's job: it does nothing, so what is timed is the queue's own work. */
export const NOOP_TASK = 'bench:noop'

/** Resolves once the queue holds no job (a job leaves it when its completion commits). */
async function emptied(q: Queryable): Promise<void> {
  for (;;) {
    const { rows } = await q.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM graphile_worker.jobs',
    )
    if (rows[0]?.n === 0) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/**
 * Adds `n` no-op jobs in one statement (one commit, so every engine hears of them at once) and
 * returns the milliseconds from then until the engines running have done them all.
 */
export async function drainMs(q: Queryable, n: number): Promise<number> {
  const started = performance.now()
  await q.query(
    `SELECT graphile_worker.add_job($1, '{}'::json, max_attempts => 1) FROM generate_series(1, $2)`,
    [NOOP_TASK, n],
  )
  await emptied(q)
  return performance.now() - started
}

/** The median of `count` bare `SELECT 1` round trips over the driver, as the job engine connects. */
export async function selectOneMs(config: pg.ClientConfig, count = 500): Promise<number> {
  const client = new pg.Client(config)
  await client.connect()
  try {
    const times: number[] = []
    for (let i = 0; i < count + 50; i++) {
      const started = performance.now()
      await client.query('SELECT 1')
      if (i >= 50) times.push(performance.now() - started)
    }
    return median(times)
  } finally {
    await client.end()
  }
}
