import type { ActionClaim } from '../../src/pack/action-claims.ts'
import { claimPatterns } from '../../src/pack/action-claims.ts'

const THE = '(?:a |an |the |our |your |this |that )?'
/** Up to a task's title in quotes, or a few words: "marked 'Call the plumber' as done". */
const SOME_WORDS = '(?:\\S+ ){0,6}?'

/**
 * What the task Worker may say it did only when a call of the same turn did it (its rules ask it
 * to confirm every change: "I've added 'Buy groceries' to your tasks"). "Added" is also said of a
 * detail added to a task, so an update backs it too.
 */
export const TASKS_ACTION_CLAIMS: readonly ActionClaim[] = [
  {
    action: 'task_added',
    patterns: claimPatterns({
      did: ['added', `created ${THE}(?:new )?task`, `put ${SOME_WORDS}on your (?:task )?list`],
      isNow: ['added'],
    }),
    backedBy: [{ tool: 'domain_add_task' }, { tool: 'domain_update_task' }],
  },
  {
    action: 'task_completed',
    patterns: claimPatterns({
      did: [
        `marked ${SOME_WORDS}(?:as )?(?:done|complete|completed|finished)`,
        `completed ${THE}task`,
        `(?:ticked|checked|crossed) ${SOME_WORDS}off`,
      ],
      isNow: ['(?:marked (?:as )?)?(?:done|complete|completed|finished)'],
    }),
    backedBy: [{ tool: 'domain_complete_task' }],
  },
  {
    action: 'task_updated',
    patterns: claimPatterns({
      did: [
        `updated ${THE}task`,
        'changed',
        'renamed',
        'edited',
        `(?:set|raised|lowered|bumped) ${SOME_WORDS}priority`,
      ],
    }),
    backedBy: [{ tool: 'domain_update_task' }],
  },
  {
    action: 'task_deleted',
    patterns: claimPatterns({ did: ['deleted', 'removed'], isNow: ['deleted', 'removed'] }),
    backedBy: [{ tool: 'domain_delete_task' }],
  },
]
