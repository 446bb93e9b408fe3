import type { ActionClaim } from '../../src/pack/action-claims.ts'
import { claimPatterns } from '../../src/pack/action-claims.ts'

/** What the Reading Room's Worker may say it did only when a call of the same turn did it. */
export const READING_ROOM_ACTION_CLAIMS: readonly ActionClaim[] = [
  {
    action: 'place_saved',
    patterns: claimPatterns({
      did: [
        '(?:saved|kept|noted|remembered|bookmarked) (?:your |the )?(?:reading )?(?:place|position|spot|progress)',
        'bookmarked',
      ],
      isNow: ['saved', 'bookmarked'],
    }),
    backedBy: [{ tool: 'user_save_reading_position' }],
  },
]
