/**
 * An action a pack's Worker may say it took ("I have refunded …"), and the calls that back the
 * claim. The Worker's output guardrail blocks a reply that makes a claim no successful call of the
 * same turn backs, as it blocks an id no tool returned.
 */
export interface ActionClaim {
  /** The action, as the audit row of an unbacked claim names it: `booking`, `cancellation`. */
  action: string
  /** What says it was done; {@link claimPatterns} builds ones that spare offers and questions. */
  patterns: readonly RegExp[]
  /**
   * The calls that back it: one of these tools, answering with success (not an error, not put to
   * staff), with these top-level fields in its structured result when given (a request the policy
   * let through, not one it blocked). None: nothing backs it, so the claim is always blocked (an
   * action the pack has no tool for).
   */
  backedBy: readonly ClaimBacking[]
}

export interface ClaimBacking {
  tool: string
  result?: Readonly<Record<string, string | number | boolean>>
}

/** Words that make the subject after them hypothetical or a question: "if I cancelled", "have I". */
const NOT_ASSERTED =
  '(?<!\\b(?:if|whether|unless|once|until|can|could|would|should|shall|will|may|might|must|do|does|did|have|has|had)\\s+)'

/** Between the auxiliary and the verb: "I have just", "I've now gone ahead and". */
const ADVERBS =
  '(?:\\s+(?:just|now|also|already|successfully|finally|gone ahead and|went ahead and))*'

/**
 * The claims of an action taken, as a Worker says them, from the pack's words for it:
 * - `did`: what follows "I", "I have" or "I've" when it was done, in the past (`cancell?ed`,
 *   `booked (?:a|the|your) room`): "I cancelled it", "I've just cancelled it";
 * - `isNow`: what a thing "has now been", "has just been", "is now" or "was just" when it was done
 *   (`cancell?ed`): "your booking has now been cancelled", "it's now cancelled".
 *
 * Regular-expression sources, matched case-insensitively as whole words. Not claims, by design:
 * offers and plans ("I can cancel", "I'll cancel", "would you like me to cancel"), negations ("I
 * haven't cancelled", "I have not cancelled", "I couldn't cancel"), questions ("Have I cancelled",
 * "Should I cancel"), conditions ("if I cancelled"), the passive without `now`/`just` ("has been
 * cancelled", "has already been cancelled", "was cancelled last week": history a tool read back
 * just as well), and "we" (how policy and precedent are told: "in cases like this we cancelled").
 */
export function claimPatterns(words: {
  did: readonly string[]
  isNow?: readonly string[]
}): RegExp[] {
  const patterns = [
    new RegExp(
      `${NOT_ASSERTED}\\bI(?:\\s+have|['’]ve)?${ADVERBS}\\s+(?:${words.did.join('|')})(?![\\w-])`,
      'i',
    ),
  ]
  if (words.isNow !== undefined && words.isNow.length > 0) {
    patterns.push(
      new RegExp(
        `(?:\\b(?:has|have|is|are|was|were)|['’](?:s|ve|re))\\s+(?:now|just)\\s+(?:been\\s+)?(?:${words.isNow.join('|')})(?![\\w-])`,
        'i',
      ),
    )
  }
  return patterns
}
