import { InvalidInputError } from '../lib/errors.ts'

/**
 * Word groups that mean the same thing in a pack's domain, so the local embedder can match
 * "money back" with "refund" in a shop's support desk. A pack declares its own (its `lexicon`);
 * the core has none. Each group maps to its first word.
 *
 * The table is part of the local model: its `name` becomes part of the model name
 * (`fte-local-lexical-v2+<name>`), so changing the table means a new name, and a corpus embedded
 * with the old table is re-embedded rather than searched with vectors that no longer match.
 */
export interface Lexicon {
  /** Lower-case letters, digits and dashes, with a version: `support-v1`. */
  name: string
  groups: readonly (readonly string[])[]
  /**
   * Model names under which the local embedder stored exactly these vectors before (same
   * features, same table, another name). A corpus held under one is renamed in place on start,
   * without re-embedding.
   */
  earlierModelNames?: readonly string[]
}

const NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/

/** The lexicon, checked: a name that can sit in a model name, and no empty group or word. */
export function checkLexicon(lexicon: Lexicon): Lexicon {
  if (!NAME.test(lexicon.name)) {
    throw new InvalidInputError(
      `a lexicon's name is lower-case letters, digits and dashes (got ${JSON.stringify(lexicon.name)})`,
    )
  }
  for (const group of lexicon.groups) {
    if (group.length === 0 || group.some((word) => word.trim() === '')) {
      throw new InvalidInputError(`lexicon ${lexicon.name} has an empty group or word`)
    }
  }
  return lexicon
}
