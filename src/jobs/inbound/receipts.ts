import type { Queryable } from '../../store/database.ts'
import type { InboundRoute } from './inbound-door.ts'

/**
 * The signed inbound requests already accepted, by digest (`verifySignature`): the owner of
 * `inbound_receipts`. A request whose digest is here is a replay.
 */
export const inboundReceipts = {
  /**
   * Records the digest; true when it is new, false when it was seen before. Call it in the
   * transaction that creates what the request becomes: rolled back with it, the digest is not
   * burnt, and a retry of the same request is accepted.
   */
  async firstSight(
    tx: Queryable,
    receipt: { digest: string; route: InboundRoute },
  ): Promise<boolean> {
    const { rowCount } = await tx.query(
      `INSERT INTO inbound_receipts (digest, route) VALUES ($1, $2)
       ON CONFLICT (digest) DO NOTHING`,
      [receipt.digest, receipt.route],
    )
    return rowCount === 1
  },

  /**
   * Forgets receipts from before `cutoff`; how many. A replay must be refused as long as its
   * signature is fresh: a timestamp up to the tolerance ahead of the first receipt stays fresh
   * until twice the tolerance after it, so the cutoff is at least that far back
   * (now − 2 × toleranceSeconds), plus any clock difference between the servers and the database.
   */
  async forgetBefore(q: Queryable, cutoff: Date): Promise<number> {
    const { rowCount } = await q.query('DELETE FROM inbound_receipts WHERE received_at < $1', [
      cutoff,
    ])
    return rowCount
  },
}
