import { afterEach, beforeEach, expect, it } from 'vitest'
import { describeEachJobDatabase } from '../../test/support/job-databases.ts'
import type { Database } from '../store/database.ts'
import { admitJob } from './admit-job.ts'
import { ENVELOPE_DEFAULTS, type Envelope } from './envelope.ts'
import { jobRuns } from './job-runs.ts'

const envelope: Envelope = {
  trigger: 'email',
  tools: [],
  replies: 'draft',
  maxSteps: ENVELOPE_DEFAULTS.maxSteps,
  tokensPerJob: 600,
  tokensPerDay: 1000,
  usdPerJob: undefined,
  usdPerDay: undefined,
}

describeEachJobDatabase('the day’s budget', (target) => {
  let db: Database
  beforeEach(async () => {
    db = await target.open()
  })
  afterEach(() => db.close())

  const run = (jobId: number) =>
    jobRuns.begin(db, { jobId, attempt: 1, task: 'email:answer', trigger: 'email', about: null })

  it('admits no more jobs at once than the budget holds, each holding a whole job’s tokens', async () => {
    const [a, b] = await Promise.all([run(1), run(2)])
    const admitted = await Promise.all([
      admitJob(db, 'email', envelope, a),
      admitJob(db, 'email', envelope, b),
    ])
    expect(admitted.filter((x) => 'envelope' in x)).toHaveLength(1)
    expect(
      admitted.filter((x) => 'refused' in x).map((x) => 'refused' in x && x.refused.reason),
    ).toEqual(['daily_budget'])
    // Once the admitted run ends having spent 100 tokens, there is room for another job.
    const first = 'envelope' in (admitted[0] ?? {}) ? a : b
    await jobRuns.end(db, first, { status: 'done', inputTokens: 80, outputTokens: 20 })
    expect(await jobRuns.spentToday(db, 'email')).toEqual({ tokens: 100, usd: 0 })
    expect('envelope' in (await admitJob(db, 'email', envelope, await run(3)))).toBe(true)
  })
})
