import { createHash } from 'node:crypto'
import type {
  InboundAccepted,
  InboundDoor,
  InboundRefusal,
  InboundRoute,
} from '../../src/jobs/inbound/inbound-door.ts'
import { inboundReceipts } from '../../src/jobs/inbound/receipts.ts'
import { ConflictError } from '../../src/lib/errors.ts'
import type { Database } from '../../src/store/database.ts'

export interface TestDoor extends InboundDoor {
  /** Every refusal recorded, in order. */
  refusals: InboundRefusal[]
  /** The rows the door created, oldest first. */
  created(): Promise<Array<{ route: string; key: string; payload: string }>>
}

/**
 * A door as the job engine's is: the receipt and what the request becomes written in one
 * transaction, a replay refused with a ConflictError, and a message or event accepted before (by
 * its content, or its id) answered as a duplicate. What it creates is a row of a test table.
 */
export async function testDoor(db: Database): Promise<TestDoor> {
  await db.exec(`CREATE TABLE inbound_test_created (
    id      UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    route   TEXT NOT NULL,
    key     TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,
    seq     SERIAL
  )`)
  const accept = (route: InboundRoute, digest: string, key: string, payload: unknown) =>
    db.transaction(async (tx): Promise<InboundAccepted> => {
      if (!(await inboundReceipts.firstSight(tx, { digest, route }))) {
        throw new ConflictError('this signed request was received before')
      }
      const { rows } = await tx.query<{ id: string; created: boolean }>(
        `WITH made AS (
           INSERT INTO inbound_test_created (route, key, payload) VALUES ($1, $2, $3)
           ON CONFLICT (key) DO NOTHING RETURNING id)
         SELECT id, true AS created FROM made
         UNION ALL SELECT id, false FROM inbound_test_created WHERE key = $2`,
        [route, key, JSON.stringify(payload)],
      )
      const row = rows[0] as { id: string; created: boolean }
      return { id: row.id, duplicate: !row.created }
    })
  const refusals: InboundRefusal[] = []
  return {
    refusals,
    email: ({ raw, digest, ...envelope }) =>
      accept('email', digest, createHash('sha256').update(raw).digest('hex'), {
        raw: Buffer.from(raw).toString('latin1'),
        ...envelope,
      }),
    webhook: ({ digest, ...event }) =>
      accept('webhook', digest, `${event.kind}:${event.id}`, event),
    refused: async (refusal) => {
      refusals.push(refusal)
    },
    created: async () =>
      (
        await db.query<{ route: string; key: string; payload: string }>(
          'SELECT route, key, payload FROM inbound_test_created ORDER BY seq',
        )
      ).rows,
  }
}
