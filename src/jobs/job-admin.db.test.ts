import { afterEach, expect, it } from 'vitest'
import { describeEachJobDatabase } from '../../test/support/job-databases.ts'
import { createLogger } from '../lib/logger.ts'
import type { Database } from '../store/database.ts'
import { auditedTask } from './audited-task.ts'
import { jobAdmin } from './job-admin.ts'
import { type JobEngine, startJobEngine } from './job-engine.ts'
import { enqueue, installQueue } from './job-queue.ts'
import { jobRuns } from './job-runs.ts'

const logger = createLogger({ level: 'silent' })

describeEachJobDatabase('the queue as operators see it', (target) => {
  let db: Database | undefined
  let engine: JobEngine | undefined
  let release = () => {}
  afterEach(async () => {
    // A held job is let go even when an assertion failed: the engine waits for it to stop.
    release()
    await engine?.stop()
    await db?.close()
  })

  it('counts a job running its last attempt as running, not failed, and keeps its run once done', async () => {
    const opened = await target.open()
    db = opened
    await installQueue(opened, logger)
    let started = () => {}
    const running = new Promise<void>((resolve) => {
      started = resolve
    })
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    engine = await startJobEngine({
      db: opened,
      tasks: {
        'test:hold': auditedTask(
          opened,
          logger,
          () => 'test',
          async () => {
            started()
            await held
            return { status: 'done' }
          },
        ),
      },
      concurrency: 1,
      logger,
      pollMs: 200,
    })
    const id = await enqueue(opened, { task: 'test:hold', payload: {}, maxAttempts: 1 })
    await running
    expect(await jobAdmin.depth(opened)).toMatchObject({ waiting: 0, running: 1, failed: 0 })
    expect((await jobAdmin.list(opened)).map((job) => [job.id, job.state])).toEqual([
      [id, 'running'],
    ])
    release()
    // A job that succeeded leaves the queue; its run stays in job_runs.
    while ((await jobAdmin.list(opened)).length > 0) await new Promise((r) => setTimeout(r, 50))
    expect(await jobRuns.recent(opened, 5)).toMatchObject([
      { jobId: id, attempt: 1, task: 'test:hold', trigger: 'test', status: 'done', reason: null },
    ])
  })
})
