import { z } from 'zod'
import { integer, setting } from '../settings.ts'

/** The shortest audit retention the database accepts (audit_log_expire refuses a later cutoff). */
export const MIN_AUDIT_DAYS = 30

export const retentionSection = z
  .object({
    MESSAGE_RETENTION_HOURS: setting(integer(1, 24 * 365 * 100), 48),
    AUDIT_RETENTION_DAYS: setting(integer(MIN_AUDIT_DAYS, 365 * 100), 365),
    IDEMPOTENCY_RETENTION_HOURS: setting(integer(1, 24 * 365), 24),
    CLEANUP_INTERVAL_MINUTES: setting(integer(0, 7 * 24 * 60), 60),
  })
  .transform((e) => ({
    /** How long each kind of record is kept (maintenance/retention.ts's RetentionPolicy). */
    policy: {
      messageHours: e.MESSAGE_RETENTION_HOURS,
      auditDays: e.AUDIT_RETENTION_DAYS,
      idempotencyHours: e.IDEMPOTENCY_RETENTION_HOURS,
    },
    /** How often `fte serve` applies it; 0: never (run `fte cleanup` from a scheduler instead). */
    intervalMinutes: e.CLEANUP_INTERVAL_MINUTES,
  }))

export type RetentionConfig = z.output<typeof retentionSection>
