import type { JsonObject } from '../lib/json.ts'
import type { ActionClaim } from '../pack/action-claims.ts'

/** A claim a reply makes: the action, and the words that make it. */
export interface ClaimMatch {
  action: string
  said: string
}

/** How a gateway call of the turn ended, as far as backing a claim goes. */
export interface CallOutcome {
  tool: string
  status: 'ok' | 'error' | 'timeout'
  structured: JsonObject | undefined
  /** Set when the call was put to staff: pending, not done. */
  staffRequest: string | undefined
}

/** A span in double quotes, on one line: someone's words quoted, not the Worker's. */
const QUOTED = /"[^"\n]{1,300}"|“[^”\n]{1,300}”/g

/**
 * The claims `text` makes, each once, in the order the pack declares them. Words in double quotes
 * are someone else's (a customer's message, a past case quoted): "I cancelled it" quoted claims
 * nothing.
 */
export function claimsIn(text: string, claims: readonly ActionClaim[]): ClaimMatch[] {
  const own = text.replace(QUOTED, '"…"')
  const found: ClaimMatch[] = []
  for (const claim of claims) {
    for (const pattern of claim.patterns) {
      const match = own.match(pattern)
      if (match !== null) {
        found.push({ action: claim.action, said: match[0] })
        break
      }
    }
  }
  return found
}

/** The actions a call did: those of the claims it backs. */
export function actionsDone(call: CallOutcome, claims: readonly ActionClaim[]): string[] {
  if (call.status !== 'ok' || call.staffRequest !== undefined) return []
  return claims
    .filter((claim) =>
      claim.backedBy.some(
        (backing) =>
          backing.tool === call.tool &&
          Object.entries(backing.result ?? {}).every(
            ([field, value]) => call.structured?.[field] === value,
          ),
      ),
    )
    .map((claim) => claim.action)
}
