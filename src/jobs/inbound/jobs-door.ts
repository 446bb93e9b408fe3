import { ConflictError } from '../../lib/errors.ts'
import type { Queryable } from '../../store/database.ts'
import type { Jobs } from '../jobs-service.ts'
import type { InboundDoor, InboundRoute } from './inbound-door.ts'
import { inboundReceipts } from './receipts.ts'

/**
 * The signed routes' door into the jobs: the signature's digest recorded in the transaction that
 * takes the email or event in (a replay is refused with nothing created), and each refusal an
 * `inbound_refused` audit row.
 */
export function jobsDoor(jobs: Jobs): InboundDoor {
  const firstSight = (route: InboundRoute, digest: string) => async (tx: Queryable) => {
    if (!(await inboundReceipts.firstSight(tx, { digest, route }))) {
      throw new ConflictError('this signed request was received before')
    }
  }
  return {
    email: ({ raw, mailFrom, remoteIp, helo, digest }) =>
      jobs.receiveEmail(
        Buffer.from(raw),
        { via: 'http', mailFrom, remoteIp, helo },
        firstSight('email', digest),
      ),
    webhook: ({ kind, id, data, digest }) =>
      jobs.receiveWebhook({ kind, id, data }, firstSight('webhook', digest)),
    refused: ({ route, reason, detail }) => jobs.refused(route, reason, detail),
  }
}
