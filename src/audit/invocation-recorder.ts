import { randomUUID } from 'node:crypto'
import type { Database } from '../store/database.ts'
import { recordInvocations } from './audit-writer.ts'
import type { InvocationRecord, InvocationRecorder } from './audited.ts'

/**
 * Group commit for invocations that stand alone (a read's: no business write shares their
 * transaction). A record is written at once when nothing else is being written; records that arrive
 * while a batch is in flight go together in the next statement, so under load the database commits
 * once per batch instead of once per call, and nobody waits for a timer. Each `record` resolves only
 * after its row is committed. A failed batch is retried record by record, so a bad record fails
 * alone.
 */
export function invocationRecorder(db: Database, maxBatch = 200): InvocationRecorder {
  interface Waiting {
    record: InvocationRecord & { id: string }
    resolve(id: string): void
    reject(error: unknown): void
  }
  let waiting: Waiting[] = []
  let writing = false

  async function drain(): Promise<void> {
    writing = true
    try {
      while (waiting.length > 0) {
        const batch = waiting.slice(0, maxBatch)
        waiting = waiting.slice(batch.length)
        try {
          await recordInvocations(
            db,
            batch.map((w) => w.record),
          )
          for (const w of batch) w.resolve(w.record.id)
        } catch (error) {
          if (batch.length === 1) {
            batch[0]?.reject(error)
            continue
          }
          await Promise.all(
            batch.map((w) =>
              recordInvocations(db, [w.record]).then(() => w.resolve(w.record.id), w.reject),
            ),
          )
        }
      }
    } finally {
      writing = false
    }
  }

  return (record) =>
    new Promise<string>((resolve, reject) => {
      waiting.push({ record: { ...record, id: record.id ?? randomUUID() }, resolve, reject })
      if (!writing) void drain()
    })
}
