/**
 * PGlite has one session, and the host lends it to one client's turn at a time (a transaction, or
 * a statement outside one). What a statement leaves in the session beyond its turn would reach the
 * next client, so the host reads each statement's text for the few ways to leave something behind:
 * - settings (`SET`, `RESET`, `set_config`) are taken out of the session when the turn ends and
 *   kept for that client's next turns; temporary tables are dropped when the turn ends;
 * - what cannot be undone without undoing other clients' state too (session-level advisory locks,
 *   SQL-level PREPARE, cursors WITH HOLD, LISTEN other than on its own) is refused with an error
 *   that says what to use instead. Session-level advisory locks would not even exclude: on one
 *   session a second `pg_try_advisory_lock` of the same key succeeds.
 * Protocol-level prepared statements and portals are renamed per client instead (see
 * client-connection.ts); LISTEN sent on its own is the host's to answer (notification-hub.ts).
 */

export type TurnReset = 'settings' | 'temporary'

export interface Inspection {
  /** Why the statement is refused, when it is. */
  refused?: string
  /** What to undo when the turn ends. */
  resets: TurnReset[]
}

const START = String.raw`(?:^|;)\s*`

const REFUSALS: { pattern: RegExp; why: string }[] = [
  {
    pattern:
      /\bpg_(?:try_)?advisory_lock(?:_shared)?\s*\(|\bpg_advisory_unlock(?:_shared|_all)?\s*\(/i,
    why:
      'session-level advisory locks cannot be shared on the embedded database (all its clients ' +
      'share one session); use pg_advisory_xact_lock inside a transaction',
  },
  {
    pattern: new RegExp(`${START}(?:prepare|deallocate|discard)\\b`, 'i'),
    why:
      'PREPARE, DEALLOCATE and DISCARD are not available on the shared embedded database; use ' +
      'protocol-level prepared statements (a named query)',
  },
  {
    // A cursor's WITH HOLD, not a common table expression named "hold" (WITH hold AS …).
    pattern: /\bcursor\s+with\s+hold\b/i,
    why: 'cursors WITH HOLD are not available on the shared embedded database',
  },
  {
    pattern: new RegExp(`${START}(?:un)?listen\\b`, 'i'),
    why:
      'on the shared embedded database LISTEN and UNLISTEN must be sent as a statement of their ' +
      'own (a simple query)',
  },
]

const RESETS: { pattern: RegExp; reset: TurnReset }[] = [
  {
    pattern: new RegExp(
      `${START}(?:set\\s+(?!local\\b|transaction\\b|constraints\\b)|reset\\b)|\\bset_config\\s*\\(`,
      'i',
    ),
    reset: 'settings',
  },
  {
    pattern: /\bcreate\s+(?:global\s+|local\s+)?temp(?:orary)?\s|\binto\s+temp(?:orary)?\s/i,
    reset: 'temporary',
  },
]

export function inspectStatement(sql: string): Inspection {
  const refusal = REFUSALS.find((rule) => rule.pattern.test(sql))
  if (refusal !== undefined) return { refused: refusal.why, resets: [] }
  return { resets: RESETS.filter((rule) => rule.pattern.test(sql)).map((rule) => rule.reset) }
}

/**
 * A statement that fails with `why` when PGlite runs it: a refused statement is replaced by it, so
 * the error takes its place in the protocol and a transaction it was part of is aborted, as a
 * server's own refusal would.
 */
export function refusalStatement(why: string): string {
  return `DO $fte$BEGIN RAISE EXCEPTION USING MESSAGE = ${literal(why)}, ERRCODE = 'feature_not_supported'; END$fte$`
}

/** `LISTEN x` or `UNLISTEN x` (or `UNLISTEN *`) sent as a query of its own. */
export function listenStatement(
  sql: string,
): { action: 'listen' | 'unlisten'; channel: string } | undefined {
  const match =
    /^\s*(listen|unlisten)\s+(?:"([^"]+)"|([A-Za-z_][A-Za-z0-9_$]*)|(\*))\s*;?\s*$/i.exec(sql)
  if (match === null) return undefined
  const action = (match[1] as string).toLowerCase() as 'listen' | 'unlisten'
  if (match[4] !== undefined) return action === 'unlisten' ? { action, channel: '*' } : undefined
  return { action, channel: match[2] ?? (match[3] as string).toLowerCase() }
}

/**
 * `FTE BACKUP TO '<file>'`: not SQL, but the host's own command on the private channel, by which
 * another process asks it for a copy of the database (`fte backup` beside a running server).
 */
export function backupStatement(sql: string): string | undefined {
  const match = /^\s*FTE\s+BACKUP\s+TO\s+'((?:[^']|'')+)'\s*;?\s*$/i.exec(sql)
  return match === null ? undefined : (match[1] as string).replaceAll("''", "'")
}

export function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`
}

export function identifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}
