/** A task's priority: high, medium or low. */
export type Priority = 'low' | 'medium' | 'high'

const HIGH = /\b(urgent|urgently|critical|important|asap|a\.s\.a\.p\.?|high[- ]priority|high)\b/i
/** "not urgent", "isn't important", "no rush": the words of high priority, negated. */
const NEGATED =
  /\b(not|isn't|is not|no|never)\s+(really\s+|that\s+|very\s+)?(urgent|critical|important|a priority|high[- ]priority|rush)\b/i
const LOW = /\b(low[- ]priority|low|minor|optional|when you have time|someday|no rush)\b/i

/**
 * The priority rule, applied by the server so every client gets it: "urgent", "critical",
 * "important", "asap" or "high" make a task high; "low", "minor", "optional" or "when you have
 * time" make it low; anything else is medium. High wins when both appear, and a negated high word
 * ("not urgent", "no rush") makes it low.
 */
export function detectPriority(text: string): Priority {
  if (NEGATED.test(text)) return 'low'
  if (HIGH.test(text)) return 'high'
  if (LOW.test(text)) return 'low'
  return 'medium'
}
