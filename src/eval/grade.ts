import { actionsDone, type CallOutcome, claimsIn } from '../agent/claimed-actions.ts'
import type { JsonObject } from '../lib/json.ts'
import type { ActionClaim } from '../pack/action-claims.ts'
import type { Queryable } from '../store/database.ts'
import type { RowAssertion, Scenario } from './scenario.ts'
import type { TrialStart } from './trial-world.ts'

export interface GradeInput {
  /** The trial's copy of the database, as the trial left it. */
  db: Queryable
  scenario: Pick<Scenario, 'expect'>
  /** What the Worker said to the user, every reply in order. */
  replies: readonly string[]
  start: TrialStart
  /** The pack's: a reply that says an action was done needs a call of the trial that did it. */
  actionClaims: readonly ActionClaim[]
}

/**
 * The grade of one trial: what failed, one line each (none: passed). The end state (the
 * scenario's queries on business rows), the audit trail the trial wrote, the facts the replies had
 * to say and must not, and every action a reply claims, checked against the database: a claim
 * passes only when a successful call the trial made (or a request staff approved) did it.
 */
export async function grade(input: GradeInput): Promise<string[]> {
  const { db, scenario, replies, start } = input
  const failures: string[] = []
  for (const assertion of scenario.expect.rows) {
    const failed = await checkRows(db, assertion)
    if (failed !== undefined) failures.push(failed)
  }

  const { rows: audited } = await db.query<{ action: string }>(
    'SELECT DISTINCT action FROM audit_log WHERE id > $1',
    [start.auditId],
  )
  const actions = new Set(audited.map((r) => r.action))
  for (const action of scenario.expect.audit.required) {
    if (!actions.has(action)) failures.push(`audit: no ${action} was recorded`)
  }
  for (const action of scenario.expect.audit.forbidden) {
    if (actions.has(action)) failures.push(`audit: ${action} was recorded, and must not be`)
  }

  const said = replies.join('\n\n')
  for (const fact of scenario.expect.facts) {
    if (!matches(said, fact)) failures.push(`facts: the replies never said ${fact}`)
  }
  for (const forbidden of scenario.expect.never) {
    const found = matchOf(said, forbidden)
    if (found !== undefined) failures.push(`never: a reply said ${JSON.stringify(found)}`)
  }

  if (input.actionClaims.length > 0) {
    const done = new Set(
      (await callsSince(db, start)).flatMap((call) => actionsDone(call, input.actionClaims)),
    )
    for (const reply of replies) {
      for (const claim of claimsIn(reply, input.actionClaims)) {
        if (!done.has(claim.action)) {
          failures.push(
            `claims: a reply says ${JSON.stringify(claim.said)} (${claim.action}), ` +
              'and no call of the trial did it',
          )
        }
      }
    }
  }
  return failures
}

/** `/source/flags` as a regular expression; anything else matched case-insensitively as text. */
export function textPattern(text: string): RegExp {
  const literal = /^\/(.+)\/([a-z]*)$/s.exec(text)
  if (literal !== null) return new RegExp(literal[1] as string, literal[2])
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i')
}

const matches = (text: string, pattern: string) => textPattern(pattern).test(text)
const matchOf = (text: string, pattern: string) => textPattern(pattern).exec(text)?.[0]

async function checkRows(db: Queryable, assertion: RowAssertion): Promise<string | undefined> {
  let rows: Record<string, unknown>[]
  try {
    rows = (await db.query(assertion.sql)).rows
  } catch (error) {
    return `rows: ${assertion.name}: the query failed (${(error as Error).message})`
  }
  if (assertion.count !== undefined) {
    return rows.length === assertion.count
      ? undefined
      : `rows: ${assertion.name}: ${rows.length} rows, expected ${assertion.count}`
  }
  const expected = assertion.equals ?? []
  const same =
    rows.length === expected.length &&
    expected.every((want, i) => {
      const got = rows[i] ?? {}
      return Object.entries(want).every(([column, value]) => sameValue(value, got[column]))
    })
  return same
    ? undefined
    : `rows: ${assertion.name}: got ${JSON.stringify(rows.map(plain))}, expected ${JSON.stringify(expected)}`
}

/** Equal as the scenario means it: numeric text as its number, times as ISO text. */
function sameValue(expected: unknown, actual: unknown): boolean {
  const got = plainValue(actual)
  if (typeof expected === 'number' && typeof got === 'string' && got.trim() !== '') {
    return Number(got) === expected
  }
  return JSON.stringify(expected) === JSON.stringify(got)
}

const plainValue = (value: unknown) => (value instanceof Date ? value.toISOString() : value)
const plain = (row: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plainValue(v)]))

/**
 * The calls the trial made that ended well, as a claim is backed: the gateway's own record of
 * each tool call, and the tool runs of requests staff approved.
 */
async function callsSince(db: Queryable, start: TrialStart): Promise<CallOutcome[]> {
  const { rows: calls } = await db.query<{ capability: string; status: string; result: unknown }>(
    `SELECT capability, status, result FROM capability_invocations
     WHERE created_at >= $1 AND capability LIKE 'mcp:%' AND capability NOT LIKE '%:preview'
       AND actor LIKE 'gateway:%'`,
    [start.at],
  )
  const { rows: approved } = await db.query<{ tool: string; outcome: { data?: unknown } | null }>(
    `SELECT tool, outcome FROM staff_requests WHERE status = 'approved' AND decided_at >= $1`,
    [start.at],
  )
  const object = (value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as JsonObject)
      : undefined
  return [
    ...calls.map((call) => ({
      tool: call.capability.slice('mcp:'.length),
      status: call.status as CallOutcome['status'],
      structured: object(call.result),
      staffRequest: undefined,
    })),
    ...approved.map((request) => ({
      tool: request.tool,
      status: 'ok' as const,
      structured: object(request.outcome?.data),
      staffRequest: undefined,
    })),
  ]
}
