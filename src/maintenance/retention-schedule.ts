import type { RetentionConfig } from '../config/sections/retention.ts'
import type { Logger } from '../lib/logger.ts'
import type { Database } from '../store/database.ts'
import { applyRetention } from './retention.ts'

/**
 * Applies retention now and then every `intervalMinutes` (never when 0), one run at a time; a
 * failed run is logged and tried again at the next interval. `stop` waits for a run in progress,
 * so the database can be closed after it.
 */
export function scheduleRetention(
  db: Database,
  retention: RetentionConfig,
  logger: Logger,
): { stop(): Promise<void> } {
  if (retention.intervalMinutes === 0) return { stop: async () => {} }
  let running: Promise<void> | undefined
  const runOnce = () => {
    if (running !== undefined) return
    running = applyRetention(db, retention.policy)
      .then((removed) => {
        const total = Object.values(removed).reduce((sum, n) => sum + n, 0)
        if (total > 0) logger.info({ removed }, 'retention applied')
        else logger.debug('retention applied: nothing had expired')
      })
      .catch((error: unknown) =>
        logger.warn({ err: error }, 'retention failed; it runs again at the next interval'),
      )
      .finally(() => {
        running = undefined
      })
  }
  const first = setTimeout(runOnce, 0)
  const timer = setInterval(runOnce, retention.intervalMinutes * 60_000)
  first.unref()
  timer.unref()
  return {
    async stop() {
      clearTimeout(first)
      clearInterval(timer)
      await running
    },
  }
}
