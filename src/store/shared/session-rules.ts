import { quoteLiteral } from '../sql-quote.ts'

/**
 * PGlite has one session, and the host lends it to one client's turn at a time (a transaction, or
 * a statement outside one). What a turn leaves in the session is taken out as it ends, read from
 * the session's own state (host-session.ts): settings (kept as the client's for its next turns),
 * a role, temporary tables. What cannot be kept apart that way is refused here, by the statement's
 * text, with an error that says what to use instead:
 * - session-level advisory locks: on one session they would not even exclude (a second
 *   `pg_try_advisory_lock` of the same key succeeds);
 * - SQL-level PREPARE, DEALLOCATE and DISCARD, cursors WITH HOLD, LISTEN other than on its own,
 *   SET ROLE and SET SESSION AUTHORIZATION: they would reach, or undo, other clients' state;
 * - COPY … FROM STDIN, which stops PGlite altogether, and the timeouts that end a server's session
 *   (PGlite cannot end one: it loops).
 * Protocol-level prepared statements and portals are renamed per client instead (see
 * client-connection.ts); LISTEN sent on its own is the host's to answer (notification-hub.ts).
 */

const START = String.raw`(?:^|;)\s*`

/** Settings whose timer would end a server's session; on PGlite's one session it never returns. */
export const SESSION_ENDING =
  /\b(?:idle_in_transaction_session_timeout|idle_session_timeout|transaction_timeout)\b/i

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
      'own (a simple query), outside a transaction',
  },
  {
    pattern: /\bset\s+(?:(?:session|local)\s+)?(?:role|session\s+authorization)\b/i,
    why: 'SET ROLE and SET SESSION AUTHORIZATION are not available on the shared embedded database',
  },
  {
    pattern: /\bcopy\b[\s\S]*\bfrom\s+stdin\b/i,
    why:
      'COPY … FROM STDIN is not available on the shared embedded database; insert the rows ' +
      '(INSERT … SELECT FROM unnest(…) takes many at once)',
  },
  {
    pattern: SESSION_ENDING,
    why:
      'idle_in_transaction_session_timeout, idle_session_timeout and transaction_timeout cannot be ' +
      'set on the shared embedded database (it has one session, which they would end); the host ' +
      'bounds each transaction itself',
  },
]

/** Statements that may change a setting: the client's settings are read as their turn ends. */
export const MAY_SET = /(?:^|;)\s*(?:set|reset|do|call)\b|\bset_config\s*\(|\bexecute\b/i

/**
 * A statement that fails with `why` when PGlite runs it: a refused simple query is replaced by it,
 * so PGlite itself answers with the error and aborts a transaction it was part of.
 */
export function refusal(why: string): string {
  return `DO $fte$BEGIN RAISE EXCEPTION USING MESSAGE = ${quoteLiteral(why)}, ERRCODE = 'feature_not_supported'; END$fte$`
}

/** Why `sql` is refused on the shared session, if it is. */
export function inspectStatement(sql: string): { refused?: string } {
  const refusal = REFUSALS.find((rule) => rule.pattern.test(sql))
  return refusal === undefined ? {} : { refused: refusal.why }
}

/** One LISTEN or UNLISTEN of a query made of nothing else. */
export interface ListenStatement {
  action: 'listen' | 'unlisten'
  channel: string
}

const LISTEN = /^\s*(listen|unlisten)\s+(?:"([^"]+)"|([A-Za-z_][A-Za-z0-9_$]*)|(\*))\s*(?:;|$)/i

/**
 * A simple query made only of LISTEN and UNLISTEN statements (`LISTEN x`, `UNLISTEN *`, or several
 * at once, as graphile-worker sends them): the host's to answer. Undefined for anything else.
 */
export function listenStatements(sql: string): ListenStatement[] | undefined {
  const statements: ListenStatement[] = []
  let rest = sql
  while (rest.trim() !== '') {
    const match = LISTEN.exec(rest)
    if (match === null) return undefined
    const action = (match[1] as string).toLowerCase() as 'listen' | 'unlisten'
    if (match[4] !== undefined && action === 'listen') return undefined
    statements.push({
      action,
      channel: match[4] ?? match[2] ?? (match[3] as string).toLowerCase(),
    })
    rest = rest.slice(match[0].length)
  }
  return statements.length === 0 ? undefined : statements
}

/**
 * `FTE BACKUP TO '<file>'`: not SQL, but the host's own command on the private channel, by which
 * another process asks it for a copy of the database (`fte backup` beside a running server).
 */
export function backupStatement(sql: string): string | undefined {
  const match = /^\s*FTE\s+BACKUP\s+TO\s+'((?:[^']|'')+)'\s*;?\s*$/i.exec(sql)
  return match === null ? undefined : (match[1] as string).replaceAll("''", "'")
}
