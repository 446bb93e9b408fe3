import { Logger as QueueLogger } from 'graphile-worker'
import type { Logger } from '../lib/logger.ts'

/**
 * graphile-worker's log lines, through ours: its debug chatter at debug, its warnings as warnings.
 * A job it names is logged by id, task and attempts only: its payload carries customer data (an
 * event's fields, a finding's message), which stays out of the logs.
 */
export function queueLogger(logger: Logger): QueueLogger {
  const child = logger.child({ component: 'job-queue' })
  return new QueueLogger((scope) => (level, message, meta) => {
    const fields = withoutPayloads({ ...scope, ...meta })
    if (level === 'error') child.error(fields, message)
    else if (level === 'warning') child.warn(fields, message)
    else if (level === 'info') child.info(fields, message)
    else child.debug(fields, message)
  })
}

function withoutPayloads(fields: Record<string, unknown>): Record<string, unknown> {
  const job = fields.job as
    | { id?: unknown; task_identifier?: unknown; attempts?: unknown; payload?: unknown }
    | undefined
  if (job === undefined || job === null || typeof job !== 'object') return fields
  return { ...fields, job: { id: job.id, task: job.task_identifier, attempts: job.attempts } }
}
