import type { PackSchedule } from '../../../src/pack/jobs-contract.ts'
import { dollars } from '../gateway/order.ts'

/** A refund still not settled this many days after it was issued is worth a look. */
export const REFUND_FOLLOW_UP_DAYS = 7

/**
 * Every morning: refunds issued more than a week ago, not settled, whose ticket is still open. The
 * Worker traces each one (the order, the ticket, the policy) and tells the customer where it
 * stands, once per refund.
 */
export const refundFollowUp: PackSchedule = {
  name: 'refund_follow_up',
  cron: '0 9 * * *',
  async find(tx, now) {
    const { rows } = await tx.query<{
      refund_id: string
      customer_id: string
      order_public_id: string
      ticket_public_id: string
      amount_cents: number
      days: number
    }>(
      `SELECT r.id AS refund_id, o.customer_id, o.public_id AS order_public_id,
              t.public_id AS ticket_public_id, r.amount_cents,
              floor(extract(epoch FROM $1::timestamptz - r.issued_at) / 86400)::int AS days
       FROM refunds r
       JOIN orders o ON o.id = r.order_id
       JOIN tickets t ON t.id = r.ticket_id
       WHERE r.status = 'issued' AND t.status IN ('open', 'in_progress')
         AND r.issued_at < $1::timestamptz - make_interval(days => $2)
       ORDER BY r.issued_at LIMIT 200`,
      [now, REFUND_FOLLOW_UP_DAYS],
    )
    return rows.map((row) => ({
      key: row.refund_id,
      record: row.customer_id,
      subject: `Your refund for order #${row.order_public_id}`,
      message:
        `A refund of ${dollars(row.amount_cents)} for order #${row.order_public_id} was issued ` +
        `${row.days} days ago and has not settled, and ticket ${row.ticket_public_id} is still open. ` +
        'Look up the order and the ticket, check the refund policy for how long a refund takes, ' +
        'and write to the customer: where the refund stands, what happens next, and when. Do not ' +
        'promise anything the records and the policy do not support.',
    }))
  },
}
