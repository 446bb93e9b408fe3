import type { ActionClaim } from '../../src/pack/action-claims.ts'
import { claimPatterns } from '../../src/pack/action-claims.ts'

/** "a", "the", "your"…: what may stand between a verb and its object. */
const THE = '(?:a |an |the |our |your |this |that )?'

/**
 * What the support Worker may say it did only when a call of the same turn did it. A refund is
 * done when the policy issued it: one it blocked, or put to a support lead (pending review), is
 * not. Nothing here cancels anything, so a cancellation is never the Worker's to claim. Passing a
 * request to "a support lead" is left out of the escalation on purpose: that is what a refund
 * pending review does, and saying so is true.
 */
export const SUPPORT_ACTION_CLAIMS: readonly ActionClaim[] = [
  {
    action: 'refund',
    patterns: [
      ...claimPatterns({
        did: ['refunded', `(?:issued|processed|sent) ${THE}(?:full |partial )?refund`],
        isNow: ['refunded'],
      }),
      // The refund as the subject, in the same sentence: "your refund of $49.00 has now been issued".
      /\brefund\b(?:[^.!?\n]|\.(?=\d)){0,80}?\b(?:has|was|is)\s+(?:now|just)\s+(?:been\s+)?(?:issued|processed|sent)\b/i,
    ],
    backedBy: [{ tool: 'domain_issue_refund', result: { status: 'issued' } }],
  },
  {
    action: 'escalation',
    patterns: claimPatterns({
      did: [
        'escalated',
        `handed (?:\\S+ ){0,4}?over to ${THE}(?:\\S+ )?(?:team|person|human|colleague|specialist)`,
        `passed (?:\\S+ ){0,4}?(?:on )?to ${THE}(?:\\S+ )?team`,
      ],
      isNow: ['escalated'],
    }),
    backedBy: [{ tool: 'domain_escalate_ticket' }],
  },
  {
    action: 'ticket',
    patterns: claimPatterns({
      did: [
        `(?:opened|created|raised|logged|filed) ${THE}(?:new )?(?:support )?(?:ticket|case)`,
        '(?:opened|created|raised|logged|filed) [A-Z]{1,6}-\\d+',
      ],
    }),
    backedBy: [{ tool: 'domain_open_ticket' }],
  },
  {
    action: 'cancellation',
    patterns: claimPatterns({ did: ['cancell?ed'], isNow: ['cancell?ed'] }),
    backedBy: [],
  },
]
