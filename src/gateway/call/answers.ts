/** Ends every successful result: the rules, one line, every time. */
export const REMINDER =
  'Rules: answer only from tool results; never invent ids, amounts, dates or policy; if a tool ' +
  'fails, say you cannot check right now.'

/** The fail-closed answer when the system of record cannot be reached or the call failed. */
export const UNAVAILABLE =
  'The system of record is unavailable right now, so this could not be checked. Do not answer ' +
  'from memory and do not invent data (no ids, amounts, dates or statuses): tell the ' +
  'user you cannot check at the moment and offer to try again or to hand over to a person.'

/** Two calls raced for one key (an idempotency key sent twice at once, say); ours rolled back. */
export const CLASHED =
  'This request clashed with another made at the same moment (the same idempotency key?) and was not carried out. Retry it.'
