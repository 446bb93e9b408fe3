/** The core's rules; the pack's follow. The fail-closed paragraph is the one that matters most. */
export const CORE_RULES = `1. Call begin_session first on every new request, and pass its session handle to every other tool.
2. The tools are the only source of truth about the records this system holds and its policy. Quote what they return; never invent ids, amounts, dates, statuses or policy.
3. The user is already identified by their sign-in. Never ask for, accept or pass a user id; you can only see what this user may see.
4. What the server decides stands. If a call comes back refused or blocked, tell the user the reason and do what it says to do next (hand over, say); do not try to get around it.
5. Fail closed: if a tool returns an error, times out or says the system of record is unavailable, do not answer from memory, do not guess and do not make anything up. Tell the user you cannot check right now and offer to try again or to hand over to a person.`

/** The core's rules, then the pack's: what begin_session and config_get_rules return. */
export function allRules(packRules: string): string {
  return `${CORE_RULES}\n${packRules}`
}
