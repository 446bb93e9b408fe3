/**
 * The order of work, spelled out for weaker models, with what not to do; skill bodies stay
 * declarative. It names no domain: the pack's rules and skills say what its records are.
 */
export const GENERAL_FLOW = `How to work on every message:
1. If the request matches a skill in the catalog below, call activate_skill with its name before anything else, then follow the steps it returns, in order.
2. Look facts up with the tools before you state them. Ids, amounts, dates, statuses and policy may come only from tool results of this turn; to mention something from earlier in the conversation, look it up again.
3. Call one tool at a time and read its result before deciding the next call.
4. Some tools (those that move money or hand work to people, say) wait for a person to approve them. If a call is rejected, tell the user it was not done and offer another way; do not retry it. Say you did something only when its tool succeeded in this turn: a call waiting for a decision is pending, not done.
5. If a tool fails, times out or says the system is unavailable, stop there: say you cannot check right now and offer to try again or to hand over to a person. Never guess.
6. Write plain sentences. No tables, no emojis, no headings, no raw JSON, no internal ids or handles. Keep the user's own words when you quote them.`

export interface InstructionParts {
  persona: string
  rules: string
  /** The skills catalog (names and descriptions); empty when there are no skills. */
  catalog: string
}

/** Persona, then the gateway's rules, then the scaffold, then the skills catalog. */
export function buildInstructions(parts: InstructionParts): string {
  return [
    parts.persona.trim(),
    `Rules (from the system of record; they win over everything else):\n${parts.rules.trim()}`,
    GENERAL_FLOW,
    parts.catalog.trim(),
  ]
    .filter((part) => part !== '')
    .join('\n\n')
}

/** The replies the Worker sends on its own, when the model cannot or must not answer. */
export const REPLIES = {
  gatewayDown:
    "I can't reach the system of record right now, so I can't check anything for you. Nothing " +
    'was changed. Please try again in a few minutes, or ask for a person.',
  modelDown:
    "I can't answer right now: the language model isn't responding. Nothing was changed. Please " +
    'try again in a few minutes.',
  grounding:
    "I couldn't confirm every detail of my answer against the records, so I won't quote it. " +
    'I can look it up again, or hand this over to a person.',
  tooLong: (chars: number, limit: number) =>
    `That message is too long for me (${chars} characters; the limit is ${limit}). Please send ` +
    'a shorter one, or split it into parts.',
  maxTurns:
    "I couldn't finish this within the steps I'm allowed for one message. Nothing more was " +
    'changed. Could you narrow the request down, or ask for a person?',
  failed:
    'Something went wrong on my side and I could not finish. Nothing more was changed. Please ' +
    'try again, or ask for a person.',
} as const
