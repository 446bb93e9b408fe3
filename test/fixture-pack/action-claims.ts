import type { ActionClaim } from '../../src/pack/action-claims.ts'
import { claimPatterns } from '../../src/pack/action-claims.ts'

/** What the fixture's Worker may say it did only when a call of the same turn did it. */
export const FIXTURE_ACTION_CLAIMS: readonly ActionClaim[] = [
  {
    action: 'booking',
    patterns: claimPatterns({ did: ['booked', 'reserved'], isNow: ['booked', 'reserved'] }),
    backedBy: [{ tool: 'domain_book_room' }],
  },
  {
    action: 'cancellation',
    patterns: claimPatterns({ did: ['cancell?ed'], isNow: ['cancell?ed'] }),
    backedBy: [{ tool: 'domain_cancel_booking' }],
  },
]
