import { within } from '../lib/within.ts'
import type { Database, DatabaseKind } from '../store/database.ts'

export interface HealthReport {
  status: 'ok' | 'unavailable'
  database: {
    status: 'ok' | 'unavailable'
    kind: DatabaseKind
    latencyMs: number
    /** Rows of the schema's bookkeeping: how many migrations are applied. */
    migrationsApplied?: number
    error?: string
  }
}

/** Asks the database one cheap question, bounded by `timeoutMs`, so a health probe never hangs. */
export async function checkHealth(db: Database, timeoutMs = 2000): Promise<HealthReport> {
  const started = performance.now()
  try {
    const { rows } = await within(
      db.query<{ applied: number }>('SELECT count(*)::int AS applied FROM fte_migrations'),
      timeoutMs,
    )
    return {
      status: 'ok',
      database: {
        status: 'ok',
        kind: db.kind,
        latencyMs: Math.round(performance.now() - started),
        migrationsApplied: rows[0]?.applied ?? 0,
      },
    }
  } catch (error) {
    return {
      status: 'unavailable',
      database: {
        status: 'unavailable',
        kind: db.kind,
        latencyMs: Math.round(performance.now() - started),
        error: (error as Error).message.split('\n')[0] ?? 'unknown error',
      },
    }
  }
}
