import { Logger as QueueLogger } from 'graphile-worker'
import type { Logger } from '../lib/logger.ts'

/** graphile-worker's log lines, through ours: its debug chatter at debug, its warnings as warnings. */
export function queueLogger(logger: Logger): QueueLogger {
  const child = logger.child({ component: 'job-queue' })
  return new QueueLogger((scope) => (level, message, meta) => {
    const fields = { ...scope, ...meta }
    if (level === 'error') child.error(fields, message)
    else if (level === 'warning') child.warn(fields, message)
    else if (level === 'info') child.info(fields, message)
    else child.debug(fields, message)
  })
}
