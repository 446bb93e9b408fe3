import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../lib/logger.ts'
import { queueLogger } from './queue-logger.ts'

describe('the job queue’s log lines', () => {
  it('name a failed job by id, task and attempts, and never carry its payload', () => {
    const lines: string[] = []
    const logger = createLogger({
      level: 'debug',
      format: 'json',
      destination: new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk))
          done()
        },
      }),
    })
    queueLogger(logger)
      .scope({ label: 'worker' })
      .error('Failed task 7 (work:run)', {
        failure: true,
        job: {
          id: '7',
          task_identifier: 'work:run',
          attempts: 2,
          payload: { work: { message: 'A refund of $219.00 for order #4429' } },
        },
      })
    const logged = JSON.parse(lines.join('')) as Record<string, unknown>
    expect(logged.job).toEqual({ id: '7', task: 'work:run', attempts: 2 })
    expect(lines.join('')).not.toContain('4429')
  })
})
